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


def _grey(image: Image.Image, long_side: int) -> np.ndarray:
    # Resampled to one size both ways: a small photo shows less detail at that size, which
    # is what an auditor asking "is this sharp enough?" wants to see.
    grey = image.convert("L")
    scale = long_side / max(grey.size)
    if scale != 1:
        size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
        grey = grey.resize(size, Image.Resampling.LANCZOS)
    return np.asarray(grey, dtype=np.uint8)


def _variance(values: np.ndarray) -> float:
    # From exact integer sums: the same figure as numpy's float var(), at a fraction of
    # the cost (no float copies of the image).
    count = values.size
    total = int(values.sum(dtype=np.int64))
    squares = int(np.einsum("ij,ij->", values, values, dtype=np.int64))
    return (squares - total * total / count) / count


def laplacian_variance(grey: np.ndarray) -> float:
    if grey.shape[0] < 3 or grey.shape[1] < 3:
        return 0.0
    g = grey.astype(np.int32)
    laplacian = g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:] - 4 * g[1:-1, 1:-1]
    return _variance(laplacian)


def least_directional_sharpness(grey: np.ndarray) -> float:
    """Variance of the second difference along the direction where it is smallest."""
    if grey.shape[0] < 3 or grey.shape[1] < 3:
        return 0.0
    grey = grey.astype(np.int32)  # 8-bit grey would wrap around in the sums below
    centre = grey[1:-1, 1:-1]
    along = (
        grey[1:-1, :-2] + grey[1:-1, 2:] - 2 * centre,
        grey[:-2, 1:-1] + grey[2:, 1:-1] - 2 * centre,
        # Diagonal neighbours are sqrt(2) apart: halving puts them on the axes' scale.
        (grey[:-2, :-2] + grey[2:, 2:] - 2 * centre) / 2,
        (grey[:-2, 2:] + grey[2:, :-2] - 2 * centre) / 2,
    )
    return min(float(difference.var()) for difference in along)


def measure_quality(image: Image.Image, is_face_photo: bool) -> QualityMetrics:
    grey = _grey(image, _SHARPNESS_SIDE)
    histogram = np.bincount(grey.ravel(), minlength=256)
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
        # np.percentile, not the histogram: the audit's thresholds were measured with it.
        shadow_level=round(float(np.percentile(grey, 1)), 2),
        highlight_level=round(float(np.percentile(grey, 99)), 2),
        faces=find_faces(image) if is_face_photo else None,
    )
