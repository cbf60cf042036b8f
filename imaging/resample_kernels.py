"""The compiled loops of `imaging.resample` (Pillow's Lanczos coefficients and its pass along
rows), apart from it so that importing numba (about 0.3 s) is paid by the first resize, not
by every program that imports the imaging package: `visor --help` reaches `imaging.decode`.

numba compiles them on first use (`cache=True` keeps the machine code beside this module for
the next process; a photo worker loads it before its memory limit applies).
"""

import math

import numba
import numpy as np

PRECISION_BITS = 32 - 8 - 2  # Pillow's: 8 bits of result, 2 of headroom
_LANCZOS_SUPPORT = 3.0


@numba.njit(cache=True, nogil=True)
def _sinc(x: float) -> float:
    if x == 0.0:
        return 1.0
    x = x * math.pi
    return math.sin(x) / x


@numba.njit(cache=True, nogil=True)
def _lanczos(x: float) -> float:
    if -3.0 <= x < 3.0:
        return _sinc(x) * _sinc(x / 3.0)
    return 0.0


@numba.njit(cache=True, nogil=True)
def coefficients(in_size: int, out_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Pillow's precompute_coeffs and normalize_coeffs_8bpc for a whole-image box: per
    output pixel, its first input pixel and tap count, and its 22-bit integer taps."""
    scale = float(in_size) / out_size
    filterscale = scale if scale >= 1.0 else 1.0
    support = _LANCZOS_SUPPORT * filterscale
    ksize = math.ceil(support) * 2 + 1
    bounds = np.zeros((out_size, 2), np.int64)
    taps = np.zeros((out_size, ksize), np.int32)
    weights = np.zeros(ksize, np.float64)
    one = float(1 << PRECISION_BITS)
    for xx in range(out_size):
        center = (xx + 0.5) * scale  # in0 is 0.0: the box is the whole image
        ww = 0.0
        ss = 1.0 / filterscale
        xmin = int(center - support + 0.5)  # C's (int) truncates, as Python's int() does
        if xmin < 0:
            xmin = 0
        xmax = int(center + support + 0.5)
        if xmax > in_size:
            xmax = in_size
        xmax -= xmin
        for x in range(xmax):
            w = _lanczos((float(x + xmin) - center + 0.5) * ss)
            weights[x] = w
            ww += w
        for x in range(xmax):
            k = weights[x] / ww if ww != 0.0 else weights[x]
            taps[xx, x] = int(-0.5 + k * one) if k < 0 else int(0.5 + k * one)
        bounds[xx, 0] = xmin
        bounds[xx, 1] = xmax
    return bounds, taps


@numba.njit(cache=True, nogil=True, boundscheck=False)
def along_rows(
    src: np.ndarray, first: int, bounds: np.ndarray, taps: np.ndarray, out: np.ndarray
) -> None:
    """out[o, :] = Pillow's 8-bit rounding of the taps of output o over rows
    first + bounds[o, 0] .. of src (C-contiguous uint8), a whole row at a time."""
    columns = src.shape[1]
    acc = np.empty(columns, np.int32)
    half = np.int32(1 << (PRECISION_BITS - 1))
    for o in range(out.shape[0]):
        start = first + bounds[o, 0]
        for c in range(columns):
            acc[c] = half
        for t in range(bounds[o, 1]):
            k = taps[o, t]
            row = src[start + t]
            for c in range(columns):
                acc[c] += np.int32(row[c]) * k
        line = out[o]
        for c in range(columns):
            v = acc[c] >> PRECISION_BITS  # arithmetic shift, as C's on an int
            line[c] = 0 if v < 0 else (255 if v > 255 else v)
