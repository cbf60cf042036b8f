"""No-reference quality metrics per photo, for the auditors' "stale, blurry, dark, faceless"
report.

Sharpness is the variance of the Laplacian (Pech-Pacheco et al. 2000) computed on the grey
image resampled to a fixed 512-pixel long side, so that the number does not depend on the
file's resolution: one cheap 3x3 filter, well studied for focus measurement, and easy to read
(a flat or defocused image has little second-derivative energy). Exposure is the mean grey
level, the share of clipped shadows (<= 5) and highlights (>= 250), and RMS contrast.

Three measures read by the photo audit (audits/, thresholds in audits/thresholds.json):
the sharpness of the least sharp direction (second differences along rows, columns and both
diagonals: camera shake smears one direction and leaves the others, so the isotropic
Laplacian misses it), and the 1st and 99th percentiles of grey (a dark scene still has some
bright pixels, an underexposed frame has none; their gap is the tonal range, which says "flat"
less dependent on content than the standard deviation does).
"""

import numpy as np
from PIL import Image
from pydantic import BaseModel

from imaging.faces import FaceFinding, find_faces
from imaging.resample import resize_grey

_SHARPNESS_SIDE = 512


class QualityMetrics(BaseModel):
    sharpness: float  # variance of the Laplacian at a 512-px long side
    brightness: float  # mean grey level, 0..255
    contrast: float  # standard deviation of grey levels (RMS contrast)
    clipped_shadows: float  # share of pixels <= 5
    clipped_highlights: float  # share of pixels >= 250
    # None in analyses stored before the photo audit existed; re-measured on the next import.
    sharpness_least_direction: float | None = None  # at a 512-px long side
    shadow_level: float | None = None  # 1st percentile of grey, 0..255
    highlight_level: float | None = None  # 99th percentile of grey, 0..255
    faces: FaceFinding | None = None  # for face photos only


def _resampled(grey: np.ndarray, long_side: int) -> np.ndarray:
    # Resampled to one size both ways: a small photo shows less detail at that size, which
    # is what an auditor asking "is this sharp enough?" wants to see. Pillow's Lanczos, byte
    # for byte (imaging/resample.py), as the audit's thresholds were measured with.
    height, width = grey.shape
    scale = long_side / max(width, height)
    if scale == 1:
        return grey
    return resize_grey(grey, max(1, round(width * scale)), max(1, round(height * scale)))


def _second_difference_variances(grey: np.ndarray) -> tuple[float, ...]:
    """Variances over the interior pixels (the one-pixel rim, where a 3 x 3 difference
    would reach outside the picture, left out) of the second differences along rows,
    columns, the diagonal and the antidiagonal, and of the Laplacian (rows + columns); all
    zero for an image too small to have an interior. From exact integer sums (one compiled
    pass, imaging/quality_kernels.py): each variance is the correctly rounded value of the
    exact one, which the plain numpy definition approaches to float noise."""
    rows, columns = grey.shape
    if rows < 3 or columns < 3:
        return (0.0,) * 5
    from imaging.quality_kernels import second_difference_sums

    sums = np.empty(10, np.int64)
    second_difference_sums(np.ascontiguousarray(grey, dtype=np.uint8), sums)
    count = (rows - 2) * (columns - 2)
    totals = [int(value) for value in sums]
    # (count * squares - total^2) / count^2 in Python integers, one rounding at the end.
    return tuple(
        (count * totals[2 * k + 1] - totals[2 * k] ** 2) / (count * count) for k in range(5)
    )


def _least_direction(variances: tuple[float, ...]) -> float:
    # Diagonal neighbours are sqrt(2) apart: halving puts them on the axes' scale.
    return min(variances[0], variances[1], variances[2] / 4, variances[3] / 4)


def laplacian_variance(grey: np.ndarray) -> float:
    return _second_difference_variances(grey)[4]


def least_directional_sharpness(grey: np.ndarray) -> float:
    """Variance of the second difference along the direction where it is smallest."""
    return _least_direction(_second_difference_variances(grey))


def percentile(histogram: np.ndarray, share: float) -> float:
    """What `np.percentile(values, share * 100)` gives (its default, linear interpolation
    between the two nearest ranks), read from the values' histogram instead of sorting them."""
    cumulative = np.cumsum(histogram)
    rank = share * (int(cumulative[-1]) - 1)
    below = int(rank)
    # The value at sorted position i is the first level whose cumulative count exceeds i.
    low, high = np.searchsorted(cumulative, [below, below + 1], side="right")
    high = min(int(high), len(histogram) - 1)
    weight, gap = rank - below, float(high) - float(low)
    # numpy's interpolation, from the nearer end: the same float, not merely a close one.
    return float(high) - gap * (1 - weight) if weight >= 0.5 else float(low) + gap * weight


def grey_histogram(grey: np.ndarray) -> np.ndarray:
    """Pixels per grey level 0..255, as int64. OpenCV's counts are float32, exact up to
    2**24 pixels: far above a 512-pixel image's."""
    import cv2

    counts = cv2.calcHist([grey], [0], None, [256], [0, 256])
    return counts.ravel().astype(np.int64)


def measure_quality(
    image: Image.Image, is_face_photo: bool, grey: np.ndarray | None = None
) -> QualityMetrics:
    """The metrics of an 8-bit RGB image; `grey` is its grey pixels
    (`np.asarray(image.convert("L"))`) when the caller has them already."""
    if grey is None:
        grey = np.asarray(image.convert("L"))
    full_grey = grey
    grey = _resampled(full_grey, _SHARPNESS_SIDE)
    histogram = grey_histogram(grey)
    count = grey.size
    levels = np.arange(256, dtype=np.int64)
    mean = float(histogram @ levels) / count
    variance = max(0.0, float(histogram @ (levels * levels)) / count - mean * mean)
    differences = _second_difference_variances(grey)
    return QualityMetrics(
        sharpness=round(differences[4], 2),
        brightness=round(mean, 2),
        contrast=round(variance**0.5, 2),
        clipped_shadows=round(float(histogram[:6].sum()) / count, 4),
        clipped_highlights=round(float(histogram[250:].sum()) / count, 4),
        sharpness_least_direction=round(_least_direction(differences), 2),
        # np.percentile's definition: the audit's thresholds were measured with it.
        shadow_level=round(percentile(histogram, 0.01), 2),
        highlight_level=round(percentile(histogram, 0.99), 2),
        faces=find_faces(image, grey=full_grey) if is_face_photo else None,
    )


def warm_up() -> None:
    """Compile (or load from numba's cache) the sharpness kernel for writable and read-only
    pixels (numba compiles each apart): the photo workers' fork server does it once."""
    pixels = np.zeros((4, 5), np.uint8)
    for grey in (pixels, np.asarray(Image.fromarray(pixels))):
        _second_difference_variances(grey)
