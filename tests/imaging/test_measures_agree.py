"""The fast measures (OpenCV filters, one histogram) give what the plain numpy definitions
they replaced give, on real photos, the demo's faces and degraded copies: stored metrics keep
their meaning, and the audit's thresholds (measured with the old code) still apply."""

import random
from collections.abc import Iterator

import numpy as np
import pytest
from PIL import Image, ImageEnhance, ImageFilter

from imaging.decode import decode_bytes
from imaging.hashes import compute_hashes, trim_uniform_border
from imaging.quality import (
    _SHARPNESS_SIDE,
    grey_histogram,
    least_directional_sharpness,
    measure_quality,
    percentile,
)
from tests.audits.audit_corpus import exposure, flatten, motion_blur
from tests.imaging.photo_corpus import TRANSFORMS, encode, load, real_photos
from visor.synthetic import face_image


def reference_laplacian_variance(grey: np.ndarray) -> float:
    if grey.shape[0] < 3 or grey.shape[1] < 3:
        return 0.0
    g = grey.astype(np.int64)
    laplacian = g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:] - 4 * g[1:-1, 1:-1]
    return float(laplacian.var())


def reference_least_directional_sharpness(grey: np.ndarray) -> float:
    if grey.shape[0] < 3 or grey.shape[1] < 3:
        return 0.0
    g = grey.astype(np.int64)
    centre = g[1:-1, 1:-1]
    along = (
        g[1:-1, :-2] + g[1:-1, 2:] - 2 * centre,
        g[:-2, 1:-1] + g[2:, 1:-1] - 2 * centre,
        (g[:-2, :-2] + g[2:, 2:] - 2 * centre) / 2,
        (g[:-2, 2:] + g[2:, :-2] - 2 * centre) / 2,
    )
    return min(float(difference.var()) for difference in along)


def reference_grey(image: Image.Image, long_side: int) -> np.ndarray:
    """The definition: Pillow's grey, resized by Pillow's Lanczos to the long side."""
    grey = image.convert("L")
    scale = long_side / max(grey.size)
    if scale != 1:
        size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
        grey = grey.resize(size, Image.Resampling.LANCZOS)
    return np.asarray(grey, dtype=np.uint8)


def reference_quality(image: Image.Image) -> dict[str, float]:
    grey = reference_grey(image, _SHARPNESS_SIDE)
    values = grey.astype(np.float64)
    return {
        "sharpness": round(reference_laplacian_variance(grey), 2),
        "brightness": round(float(values.mean()), 2),
        "contrast": round(float(values.std()), 2),
        "clipped_shadows": round(float(np.mean(grey <= 5)), 4),
        "clipped_highlights": round(float(np.mean(grey >= 250)), 4),
        "sharpness_least_direction": round(reference_least_directional_sharpness(grey), 2),
        "shadow_level": round(float(np.percentile(grey, 1)), 2),
        "highlight_level": round(float(np.percentile(grey, 99)), 2),
    }


def _cases() -> Iterator[tuple[str, Image.Image]]:
    rng = random.Random(5)
    looks = [{"ethnic_appearance": e, "hair_colour": "brown"} for e in ("IC1", "IC3")]
    for index in range(6):
        yield f"demo face {index}", decode_bytes(face_image(looks[index % 2], rng)).image
    for name, data in real_photos().items():
        image = decode_bytes(data).image
        image.thumbnail((320, 320))  # degraded copies made quickly; measured at 512 anyway
        yield name, image
        yield f"{name} blurred", image.filter(ImageFilter.GaussianBlur(4))
        yield f"{name} shaken", motion_blur(image, 3, 30)
        yield f"{name} dark", exposure(image, -3)
        yield f"{name} burnt", exposure(image, 3)
        yield f"{name} flat", flatten(image, 0.2)
        transform = rng.choice(sorted(TRANSFORMS))
        yield f"{name} {transform}", load(encode(TRANSFORMS[transform](image, rng)))
    yield "black", Image.new("RGB", (200, 300), (0, 0, 0))
    yield "white", Image.new("RGB", (300, 200), (255, 255, 255))
    yield "one pixel", Image.new("RGB", (1, 1), (90, 10, 200))
    yield "a strip", ImageEnhance.Contrast(Image.new("RGB", (600, 2), (40, 80, 120))).enhance(2)


CASES = dict(_cases())


@pytest.mark.parametrize("name", sorted(CASES))
def test_quality_metrics_are_the_plain_definitions(name: str) -> None:
    image = CASES[name]
    ours = measure_quality(image, is_face_photo=False).model_dump(exclude={"faces"})
    expected = reference_quality(image)
    for metric, value in expected.items():
        # Rounded to 2 decimals: float noise may move the last one, never more.
        tolerance = 0.0 if metric in ("shadow_level", "highlight_level") else 0.0101
        if metric.startswith("clipped_"):
            tolerance = 0.00011
        assert abs(ours[metric] - value) <= tolerance, (name, metric, ours[metric], value)


def test_histogram_percentiles_are_numpy_s_at_every_rank() -> None:
    rng = np.random.default_rng(4)
    for size in (1, 2, 3, 7, 100, 1001):
        values = rng.integers(0, 256, size=(1, size)).astype(np.uint8)
        if size == 100:
            values[:] = 17  # one level only
        histogram = grey_histogram(values)
        for share in (0.0, 0.01, 0.25, 0.5, 0.99, 1.0):
            assert percentile(histogram, share) == float(np.percentile(values, share * 100))


def test_tiny_images_have_no_sharpness_and_are_not_an_error() -> None:
    for shape in ((1, 1), (2, 50), (50, 2)):
        grey = np.full(shape, 128, np.uint8)
        assert least_directional_sharpness(grey) == 0.0


@pytest.mark.parametrize("name", sorted(CASES))
def test_hashes_of_degraded_copies_are_imagehash_s(name: str) -> None:
    import imagehash
    from PIL import ImageOps

    trimmed = trim_uniform_border(CASES[name]).convert("L")
    mirrored = ImageOps.mirror(trimmed)
    reference = [
        int(str(imagehash.phash(trimmed)), 16),
        int(str(imagehash.dhash(trimmed)), 16),
        int(str(imagehash.phash(mirrored)), 16),
        int(str(imagehash.dhash(mirrored)), 16),
    ]
    ours = compute_hashes(CASES[name])
    assert [ours.phash, ours.dhash, ours.phash_mirror, ours.dhash_mirror] == reference
