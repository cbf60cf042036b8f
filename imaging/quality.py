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


# Second differences as 3 x 3 kernels, run by OpenCV into 16-bit integers: exact, since
# 8-bit grey gives at most +-1020. Rows, columns and the two diagonals; the Laplacian is the
# sum of the first two.
_ALONG_ROWS = np.array([[0, 0, 0], [1, -2, 1], [0, 0, 0]], np.float32)
_ALONG_COLUMNS = _ALONG_ROWS.T.copy()
_ALONG_DIAGONAL = np.array([[1, 0, 0], [0, -2, 0], [0, 0, 1]], np.float32)
_ALONG_ANTIDIAGONAL = _ALONG_DIAGONAL[:, ::-1].copy()
_LAPLACIAN = _ALONG_ROWS + _ALONG_COLUMNS


def _filtered_variance(grey: np.ndarray, kernel: np.ndarray) -> float:
    """Variance of `kernel` applied at every interior pixel (the one-pixel rim, where the
    kernel would reach outside the picture, is left out)."""
    import cv2

    filtered = cv2.filter2D(grey, cv2.CV_16S, kernel, borderType=cv2.BORDER_REPLICATE)
    # Sums over the whole (contiguous) array less the rim's: three times faster than
    # OpenCV's statistics over the strided interior.
    means, deviations = cv2.meanStdDev(filtered)
    mean, deviation = float(means[0, 0]), float(deviations[0, 0])
    edges = [filtered[0], filtered[-1], filtered[1:-1, 0], filtered[1:-1, -1]]
    rim = np.concatenate(edges).astype(np.float64)
    count = filtered.size - rim.size
    total = mean * filtered.size - float(rim.sum())
    squares = (deviation * deviation + mean * mean) * filtered.size - float(rim @ rim)
    interior_mean = total / count
    return max(0.0, squares / count - interior_mean * interior_mean)


def laplacian_variance(grey: np.ndarray) -> float:
    if grey.shape[0] < 3 or grey.shape[1] < 3:
        return 0.0
    return _filtered_variance(grey, _LAPLACIAN)


def least_directional_sharpness(grey: np.ndarray) -> float:
    """Variance of the second difference along the direction where it is smallest."""
    if grey.shape[0] < 3 or grey.shape[1] < 3:
        return 0.0
    return min(
        _filtered_variance(grey, _ALONG_ROWS),
        _filtered_variance(grey, _ALONG_COLUMNS),
        # Diagonal neighbours are sqrt(2) apart: halving puts them on the axes' scale.
        _filtered_variance(grey, _ALONG_DIAGONAL) / 4,
        _filtered_variance(grey, _ALONG_ANTIDIAGONAL) / 4,
    )


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
    return QualityMetrics(
        sharpness=round(laplacian_variance(grey), 2),
        brightness=round(mean, 2),
        contrast=round(variance**0.5, 2),
        clipped_shadows=round(float(histogram[:6].sum()) / count, 4),
        clipped_highlights=round(float(histogram[250:].sum()) / count, 4),
        sharpness_least_direction=round(least_directional_sharpness(grey), 2),
        # np.percentile's definition: the audit's thresholds were measured with it.
        shadow_level=round(percentile(histogram, 0.01), 2),
        highlight_level=round(percentile(histogram, 0.99), 2),
        faces=find_faces(image, grey=full_grey) if is_face_photo else None,
    )
