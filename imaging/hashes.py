"""Perceptual hashes: 64-bit pHash (the primary) and dHash (a second opinion), of the photo
and of its mirror image (a flipped selfie must match), computed after uniform borders are
trimmed so that a frame or letterbox added later does not move the hash.

Hashes are plain ints in 0..2**64-1; `to_signed` stores them in a 64-bit SQL or OpenSearch
long.
"""

from dataclasses import dataclass

import numpy as np
from PIL import Image

from imaging.resample import resize_grey

HASH_BITS = 64
_HASH_SIZE = 8  # imagehash's side length: 8 x 8 = 64 bits
_PHASH_SIDE = 4 * _HASH_SIZE  # pHash's DCT runs on a 32 x 32 image
_BORDER_TOLERANCE = 16  # grey levels a border pixel may differ from the border colour
_MIN_KEPT_SHARE = 0.25  # never trim away more than three quarters of the picture


@dataclass(frozen=True)
class PerceptualHashes:
    phash: int
    dhash: int
    phash_mirror: int
    dhash_mirror: int


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def to_signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def to_unsigned(value: int) -> int:
    return value + (1 << 64) if value < 0 else value


def _as_int(bits: np.ndarray) -> int:
    """Bits, first one most significant, as imagehash orders them."""
    return int.from_bytes(np.packbits(bits.ravel()).tobytes(), "big")


def _phash_bits(pixels: np.ndarray) -> np.ndarray:
    # imagehash's pHash: 2-D DCT of the 32 x 32 grey image, its 8 x 8 lowest frequencies
    # against their median. SciPy is imported here, not at start-up: it costs every CLI
    # command 0.4 s, and only photo work needs it.
    import scipy.fft

    dct = scipy.fft.dct(scipy.fft.dct(pixels, axis=0), axis=1)
    low = dct[:_HASH_SIZE, :_HASH_SIZE]
    return np.asarray(low > np.median(low))


def _content_box(grey: np.ndarray) -> tuple[int, int, int, int] | None:
    """The box (left, top, right, bottom) inside a uniform frame (any colour) around the
    picture of 8-bit grey `grey`, or None when there is no frame to trim."""
    # Only the edge is widened to signed integers until it proves to be a frame: most photos
    # have none, and a copy of the whole image was most of this function's time.
    edge = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]]).astype(np.int16)
    colour = int(np.median(edge))
    if np.mean(np.abs(edge - colour) <= _BORDER_TOLERANCE) < 0.9:
        return None  # the edge is not a uniform frame
    content = np.abs(grey.astype(np.int16) - colour) > _BORDER_TOLERANCE
    rows, columns = np.flatnonzero(content.any(axis=1)), np.flatnonzero(content.any(axis=0))
    if rows.size == 0 or columns.size == 0:
        return None
    box = (int(columns[0]), int(rows[0]), int(columns[-1]) + 1, int(rows[-1]) + 1)
    kept = (box[2] - box[0]) * (box[3] - box[1])
    if kept < _MIN_KEPT_SHARE * grey.size:
        return None
    return box


def trim_uniform_border(image: Image.Image) -> Image.Image:
    """Crop away a uniform frame (any colour) around the picture, if there is one."""
    box = _content_box(np.asarray(image.convert("L")))
    return image if box is None else image.crop(box)


def compute_hashes(image: Image.Image, grey: np.ndarray | None = None) -> PerceptualHashes:
    """pHash and dHash exactly as imagehash computes them (tests/imaging/test_hashes.py
    holds them equal), with one resize each: resampling commutes with mirroring, so the
    mirror image's hashes come from the mirrored small image. `grey` is the image's 8-bit
    grey pixels (`np.asarray(image.convert("L"))`) when the caller has them already; the
    resizes are Pillow's Lanczos, byte for byte (imaging/resample.py)."""
    if grey is None:
        grey = np.asarray(image.convert("L"))
    box = _content_box(grey)
    trimmed = grey if box is None else grey[box[1] : box[3], box[0] : box[2]]
    pixels = resize_grey(trimmed, _PHASH_SIDE, _PHASH_SIDE).astype(np.float64)
    strip = resize_grey(trimmed, _HASH_SIZE + 1, _HASH_SIZE).astype(np.int16)
    mirrored_strip = strip[:, ::-1]
    return PerceptualHashes(
        phash=_as_int(_phash_bits(pixels)),
        dhash=_as_int(strip[:, 1:] > strip[:, :-1]),
        phash_mirror=_as_int(_phash_bits(pixels[:, ::-1])),
        dhash_mirror=_as_int(mirrored_strip[:, 1:] > mirrored_strip[:, :-1]),
    )
