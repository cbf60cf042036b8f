"""Face finding for face photos: where the largest face is and how many there are, with the
detector `imaging.face_detectors.default_detector` names (chosen by measurement: see
docs/photos.md). Its model ships inside a registry package; nothing is downloaded.

The cascade runs coarse scales first. Its cost is nearly all in the smallest windows (their
count falls with the square of the window), and a face photo mostly holds one large face:
when the large windows find exactly one face, large enough that smaller windows would
hardly ever join its group, the small windows are not scanned. Otherwise they are, and the
two sets of windows are grouped together: exactly what one pass over every scale finds.
"""

import numpy as np
from PIL import Image
from pydantic import BaseModel

from imaging.face_detectors import FaceBox, FaceDetector, OpenCvCascade, default_detector

# The long side detection runs at. Faces in a custody photo are large, but the photo audit
# must also see a small face in a wide frame (to flag it face_too_small, not no_face): on
# its evaluation, recall of face_too_small was 0.70 at 320 pixels, 0.89 at 480 and 0.95 at
# 640 (tests/audits/test_flags_on_real_photos.py), at some cost in speed.
DETECTION_SIDE = 640
_MIN_FACE_SHARE = 10  # smallest face looked for: a tenth of the frame's short side
_MIN_FACE_PIXELS = 20
# The coarse pass looks for faces at least a fifth of the short side (a quarter of the
# windows' cost of the full pass, which starts at a tenth). A custody photo's face is a
# third of it or more.
_COARSE_FACE_SHARE = 5
# OpenCV groups two windows only when their sides are within 1.4x of each other
# (groupRectangles' 0.2 tolerance on each edge): a smaller window can join a face's group
# only through a member under 1.4x the coarse pass's smallest window, which a face found at
# 1.5x it seldom has (on the audit's face samples, faces at up to 1.34x were moved; none
# at 1.5x or more).
_CONCLUSIVE_SIDE = 1.5


class FaceFinding(BaseModel):
    count: int
    largest_area_share: float  # largest face's box as a share of the frame, 0..1
    largest_centre_x: float | None  # centre of the largest face, as a share of width
    largest_centre_y: float | None


NO_FACE = FaceFinding(count=0, largest_area_share=0.0, largest_centre_x=None, largest_centre_y=None)


def detection_image(image: Image.Image, grey: np.ndarray | None = None) -> np.ndarray:
    """The 8-bit grey image detectors are run on: at most DETECTION_SIDE on its long side.
    `grey` is the image's grey pixels when the caller has them already."""
    height, width = grey.shape if grey is not None else (image.height, image.width)
    scale = DETECTION_SIDE / max(width, height)
    if scale >= 1 and grey is not None:
        return grey
    small = image.convert("L") if grey is None else Image.fromarray(grey, "L")
    if scale < 1:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        small = small.resize(size, Image.Resampling.BILINEAR)
    return np.asarray(small, dtype=np.uint8)


def minimum_face_side(grey: np.ndarray) -> int:
    return max(_MIN_FACE_PIXELS, int(min(grey.shape)) // _MIN_FACE_SHARE)


def _face_boxes(pixels: np.ndarray, detector: FaceDetector) -> list[FaceBox]:
    smallest = minimum_face_side(pixels)
    if not isinstance(detector, OpenCvCascade):
        return detector.detect(pixels, smallest)
    return coarse_then_fine(detector, pixels, smallest)


def coarse_then_fine(cascade: OpenCvCascade, pixels: np.ndarray, smallest: int) -> list[FaceBox]:
    """The faces of at least `smallest` pixels, large windows first. What it can return
    differently from one pass (`cascade.detect(pixels, smallest)`): beside one face of at
    least 1.5x the coarse pass's smallest window, faces smaller than that window are not
    looked for, so not counted, and that face's box is averaged without the small windows
    that could (seldom) have joined it. On every test photo the two agree
    (tests/imaging/test_faces.py)."""
    coarse_side = max(smallest, min(pixels.shape) // _COARSE_FACE_SHARE)
    coarse = cascade.candidates(pixels, coarse_side)
    faces = cascade.group(coarse, pixels.shape)
    if coarse_side == smallest:
        return faces  # the coarse pass was the whole ladder
    if len(faces) == 1 and min(faces[0].width, faces[0].height) >= _CONCLUSIVE_SIDE * coarse_side:
        return faces
    # Smaller windows first, as one pass lists them: the grouping's order (which of two faces
    # of one size is "the largest") is then the same too.
    fine = cascade.candidates(pixels, smallest, coarse_side - 1)
    return cascade.group(fine + coarse, pixels.shape)


def find_faces(
    image: Image.Image, detector: FaceDetector | None = None, grey: np.ndarray | None = None
) -> FaceFinding:
    pixels = detection_image(image, grey)
    if min(pixels.shape) < _MIN_FACE_PIXELS:
        return NO_FACE
    boxes = _face_boxes(pixels, detector or default_detector())
    if not boxes:
        return NO_FACE
    largest = max(boxes, key=lambda b: b.width * b.height)
    height, width = pixels.shape
    return FaceFinding(
        count=len(boxes),
        largest_area_share=round(largest.width * largest.height / (width * height), 4),
        largest_centre_x=round((largest.left + largest.width / 2) / width, 4),
        largest_centre_y=round((largest.top + largest.height / 2) / height, 4),
    )
