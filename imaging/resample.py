"""Pillow's Lanczos resize of an 8-bit grey image, the same bytes, faster.

The sharpness figure (`imaging.quality`) and the perceptual hashes (`imaging.hashes`) are
defined on grey images resized by Pillow's `Image.resize(..., LANCZOS)`; the photo audit's
thresholds were measured on those numbers, so another filter (OpenCV's Lanczos, a bicubic)
would change them. This module computes what Pillow computes, step for step
(`src/libImaging/Resample.c`): the same coefficients, from the same double arithmetic and the
C library's `sin`, turned into the same 22-bit fixed-point integers; the horizontal pass over
just the rows the vertical pass reads, rounded and clipped to 8 bits, then the vertical
pass. Integer sums do not depend on their order, so the loops can run the other way round:
each pass runs along whole rows of pixels, which the compiler vectorises, where Pillow's
loop walks one output pixel at a time. `tests/imaging/test_resample.py` holds the output
equal to Pillow's, byte for byte, over photographs and random images of many sizes, up and
down.

The loops are compiled by numba (`imaging.resample_kernels`), imported by the first resize:
a program that imports the imaging package and resizes nothing does not pay for numba.
"""

import math
from collections.abc import Callable
from functools import lru_cache

import numpy as np
from PIL import Image


@lru_cache(maxsize=512)
def _coefficients(in_size: int, out_size: int) -> tuple[np.ndarray, np.ndarray]:
    from imaging.resample_kernels import coefficients

    return coefficients(in_size, out_size)


def _along_rows(
    src: np.ndarray, first: int, bounds: np.ndarray, taps: np.ndarray, out: np.ndarray
) -> None:
    from imaging.resample_kernels import along_rows

    along_rows(src, first, bounds, taps, out)


def _vertical(pixels: np.ndarray, out_rows: int, in_rows: int = 0, first: int = 0) -> np.ndarray:
    """Pillow's vertical pass from `in_rows` source rows (all of `pixels` unless given), of
    which `pixels` holds those from `first` on. Every column (and channel) is on its own, so
    an RGB image is a grey one three times as wide."""
    bounds, taps = _coefficients(in_rows or pixels.shape[0], out_rows)
    flat = pixels.reshape(pixels.shape[0], -1)
    out = np.empty((out_rows, flat.shape[1]), np.uint8)
    _along_rows(flat, -first, bounds, taps, out)
    return out.reshape((out_rows, *pixels.shape[1:]))


def _horizontal(pixels: np.ndarray, out_columns: int) -> np.ndarray:
    """Pillow's horizontal pass, run as a pass along the rows of the transposed image
    (OpenCV's transpose: a blocked copy, many times faster than numpy's strided one)."""
    import cv2

    columns = pixels.shape[1]
    swapped = cv2.transpose(pixels)  # columns first; an RGB image keeps its channels
    flat = swapped.reshape(columns, -1)
    across = np.empty((out_columns, flat.shape[1]), np.uint8)
    _along_rows(flat, 0, *_coefficients(columns, out_columns), across)
    return cv2.transpose(across.reshape((out_columns, *swapped.shape[1:])))


def resize_pixels(pixels: np.ndarray, width: int, height: int) -> np.ndarray:
    """`np.asarray(Image.fromarray(pixels).resize((width, height), LANCZOS))`, the same
    bytes: pixels are 8-bit grey (rows, columns) or RGB (rows, columns, 3). Pillow computes
    each channel of an RGB image as it computes a grey one."""
    rows, columns = pixels.shape[:2]
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    if (columns, rows) == (width, height):
        return pixels.copy()
    if width == columns:
        return _vertical(pixels, height)
    if height == rows:
        return _horizontal(pixels, width)
    # Pillow 13 runs the vertical pass first when the height shrinks by more than twice
    # what the width does (Resample.c, ImagingResampleInner); the rounding to 8 bits between
    # the passes makes the order visible, so it is followed here.
    if height < rows and rows - height > 2 * (columns - width):
        return _horizontal(_vertical(pixels, height), width)
    # Horizontal first, over just the rows the vertical pass reads (Pillow's ybox).
    bounds = _coefficients(rows, height)[0]
    first, last = int(bounds[0, 0]), int(bounds[-1, 0] + bounds[-1, 1])
    return _vertical(_horizontal(pixels[first:last], width), height, rows, first)


def resize_grey(grey: np.ndarray, width: int, height: int) -> np.ndarray:
    """`np.asarray(Image.fromarray(grey, "L").resize((width, height), LANCZOS))`, the same
    bytes: grey is 8-bit, 2-D."""
    return resize_pixels(grey, width, height)


def _thumbnail_size(width: int, height: int, side: int) -> tuple[int, int] | None:
    """The size Pillow's `Image.thumbnail((side, side))` gives, or None if it leaves the
    image as it is (its preserve_aspect_ratio)."""

    def round_aspect(number: float, key: Callable[[int], float]) -> int:
        return max(min(math.floor(number), math.ceil(number), key=key), 1)

    x = y = side
    if x >= width and y >= height:
        return None
    aspect = width / height
    if x / y >= aspect:
        x = round_aspect(y * aspect, key=lambda n: abs(aspect - n / y))
    else:
        y = round_aspect(x / aspect, key=lambda n: 0 if n == 0 else abs(aspect - x / n))
    return x, y


def thumbnail(image: Image.Image, side: int, reducing_gap: float | None = 2.0) -> Image.Image:
    """What `image.thumbnail((side, side), LANCZOS, reducing_gap=reducing_gap)` leaves in
    `image`, as a new image (`image` is not changed): computed here for a loaded 8-bit RGB
    or grey image when Pillow would not first reduce it by a whole factor (a shrink of 4x
    or more with the default gap), by Pillow otherwise."""
    size = _thumbnail_size(image.width, image.height, side)
    if size is None:
        return image.copy()
    reduce_first = reducing_gap is not None and any(
        int(have / want / reducing_gap) > 1 for have, want in zip(image.size, size, strict=True)
    )
    if image.mode not in ("RGB", "L") or reduce_first or getattr(image, "tile", None):
        copy = image.copy()
        copy.thumbnail((side, side), Image.Resampling.LANCZOS, reducing_gap=reducing_gap)
        return copy
    small = Image.fromarray(resize_pixels(np.asarray(image), *size))
    small.info = dict(image.info)  # as Pillow's thumbnail keeps it
    return small


def warm_up() -> None:
    """Compile (or load from numba's cache) the kernels, for writable and read-only pixels
    (numba compiles each apart; `np.asarray` of a Pillow image is read-only): the photo
    workers' fork server does this once (imaging.worker_preload), so that no photo, and no
    worker under its memory limit, pays for it."""
    pixels = np.zeros((4, 6), np.uint8)
    for grey in (pixels, np.asarray(Image.fromarray(pixels))):
        resize_grey(grey, 3, 2)
        resize_grey(grey, 6, 2)
    thumbnail(Image.new("RGB", (6, 4)), 3)
