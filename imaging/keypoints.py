"""A photo's local features: the second, independent signature a photo match is checked with.

The perceptual hashes compare a whole picture through one tiny greyscale summary, so two
different custody photos (same pose, same backdrop, same lighting) can come close. Local
features see something else: ORB keypoints (corners with a binary descriptor; Rublee et al.
2011), matched between the two pictures and then required to agree on one geometric
transform (RANSAC over a rotation + scale + shift). A transformed copy of a photograph keeps
dozens of such agreeing points; two different photographs of similar faces keep a handful.
benchmarks/photo_verification.py measures both on real photographs.
"""

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps

from imaging.blobstore import BlobStore, PhotoRejected
from imaging.decode import decode_photo

# Both pictures are compared at this long side: the matching is scale-invariant only within
# the pyramid ORB builds, and small custody thumbnails must still yield enough corners.
KEYPOINT_SIDE = 256
MAX_KEYPOINTS = 500
# Nearest-descriptor matches kept only when clearly better than the second nearest (Lowe's
# ratio test), and counted as agreeing when within this many pixels of the fitted transform.
RATIO = 0.8
REPROJECTION_PIXELS = 4.0


@dataclass(frozen=True)
class Keypoints:
    points: np.ndarray  # (n, 2) float32, at KEYPOINT_SIDE scale
    descriptors: np.ndarray  # (n, 32) uint8

    def __len__(self) -> int:
        return len(self.points)


def _grey_at_side(image: Image.Image) -> np.ndarray:
    grey = np.asarray(image.convert("L"))
    height, width = grey.shape
    scale = KEYPOINT_SIDE / max(height, width)
    size = (max(8, round(width * scale)), max(8, round(height * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.resize(grey, size, interpolation=interpolation)


def keypoints(image: Image.Image) -> Keypoints:
    detector = cv2.ORB.create(
        nfeatures=MAX_KEYPOINTS, edgeThreshold=15, patchSize=15, fastThreshold=10
    )
    found, descriptors = detector.detectAndCompute(_grey_at_side(image), None)
    if descriptors is None or not found:
        return Keypoints(np.zeros((0, 2), np.float32), np.zeros((0, 32), np.uint8))
    points = np.array([k.pt for k in found], dtype=np.float32)
    return Keypoints(points, descriptors)


@dataclass(frozen=True)
class Fit:
    """`a`'s keypoints that find their match in `b` where one rotation, scale and shift of
    the whole picture puts them: their indices in `a`, and that transform (2 x 3)."""

    agreeing: np.ndarray
    transform: np.ndarray


def fitted_matches(a: Keypoints, b: Keypoints) -> Fit | None:
    """The agreeing matches of `a` in `b`, or None where too few match to fit a transform."""
    if len(a) < 4 or len(b) < 4:
        return None
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(a.descriptors, b.descriptors, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
    if len(good) < 4:
        return None
    matched = np.array([m.queryIdx for m in good])
    transform, inliers = cv2.estimateAffinePartial2D(
        a.points[matched],
        b.points[[m.trainIdx for m in good]],
        method=cv2.RANSAC,
        ransacReprojThreshold=REPROJECTION_PIXELS,
    )
    if transform is None or inliers is None:
        return None
    return Fit(matched[inliers.ravel().astype(bool)], transform)


def agreeing_points(a: Keypoints, b: Keypoints) -> int:
    """How many of `a`'s keypoints find their match in `b` at the place one rotation, scale
    and shift of the whole picture puts them."""
    fit = fitted_matches(a, b)
    return 0 if fit is None else len(fit.agreeing)


@dataclass(frozen=True)
class Probe:
    """A query photo's keypoints, and its mirror image's: a flipped copy is still a copy."""

    keypoints: Keypoints
    mirrored: Keypoints

    @classmethod
    def of(cls, image: Image.Image) -> "Probe":
        return cls(keypoints(image), keypoints(ImageOps.mirror(image)))

    def agreeing_points(self, stored: Keypoints) -> int:
        return max(agreeing_points(self.keypoints, stored), agreeing_points(self.mirrored, stored))


# Versioned: a change to the detector's settings must not meet keypoints cached by another.
DERIVATIVE = "keypoints-v1.npz"


def stored_keypoints(store: BlobStore, sha256: str) -> Keypoints | None:
    """A stored photo's keypoints, computed from the original once and kept beside it; None
    when the original cannot be read (it is then judged by its hashes alone)."""
    if store.derivative_ready(sha256, DERIVATIVE):
        try:
            with np.load(store.derivative_path(sha256, DERIVATIVE)) as saved:
                return Keypoints(saved["points"], saved["descriptors"])
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache is made again from the original
    try:
        found = keypoints(decode_photo(store.path_for(sha256)).image)
    except (PhotoRejected, OSError):
        return None
    out = io.BytesIO()
    np.savez(out, points=found.points, descriptors=found.descriptors)
    store.put_derivative(sha256, DERIVATIVE, out.getvalue())
    return found
