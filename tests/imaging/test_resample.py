"""imaging.resample gives Pillow's Lanczos resize of a grey image byte for byte: the sharpness
figure and the hashes are defined by Pillow's, and the audit's thresholds were measured
with it."""

import numpy as np
import pytest
from PIL import Image

from imaging.decode import decode_bytes
from imaging.resample import resize_grey, thumbnail
from tests.imaging.photo_corpus import real_photos


def pillow(grey: np.ndarray, width: int, height: int) -> np.ndarray:
    resized = Image.fromarray(grey, "L").resize((width, height), Image.Resampling.LANCZOS)
    return np.asarray(resized)


def test_random_images_of_many_sizes_up_and_down() -> None:
    rng = np.random.default_rng(12)
    for case in range(400):
        rows, columns = (int(n) for n in rng.integers(1, 400, size=2))
        if case % 3 == 0:  # the hashes' sizes: far smaller
            height, width = (int(n) for n in rng.integers(1, 40, size=2))
        else:
            height, width = (int(n) for n in rng.integers(1, 600, size=2))
        grey = rng.integers(0, 256, size=(rows, columns), dtype=np.uint8)
        if case % 2:  # smooth content, where rounding ties are likelier than in noise
            grey = (np.cumsum(grey, axis=1) // columns).astype(np.uint8)
        assert np.array_equal(resize_grey(grey, width, height), pillow(grey, width, height)), (
            rows,
            columns,
            height,
            width,
        )


@pytest.mark.parametrize(
    ("rows", "columns", "height", "width"),
    [
        # Pillow runs the vertical pass first when the height shrinks by more than twice
        # what the width does: either side of that line, and on it.
        (100, 60, 60, 40),
        (100, 60, 59, 40),
        (100, 60, 61, 40),
        (30, 20, 10, 25),
        (300, 240, 512, 410),  # a demo photo to the sharpness size
        (512, 512, 32, 32),
        (512, 512, 8, 9),
        (1, 1, 7, 3),
        (5, 700, 1, 1),
    ],
)
def test_pass_order_and_edges(rows: int, columns: int, height: int, width: int) -> None:
    grey = np.random.default_rng(rows * columns).integers(0, 256, (rows, columns), np.uint8)
    assert np.array_equal(resize_grey(grey, width, height), pillow(grey, width, height))


def test_real_photographs_to_the_sizes_visor_uses() -> None:
    for data in real_photos().values():
        grey = np.asarray(decode_bytes(data).image.convert("L"))
        rows, columns = grey.shape
        scale = 512 / max(rows, columns)
        sharpness = (max(1, round(columns * scale)), max(1, round(rows * scale)))
        for width, height in (sharpness, (32, 32), (9, 8)):
            assert np.array_equal(resize_grey(grey, width, height), pillow(grey, width, height))


def test_same_size_is_a_copy() -> None:
    grey = np.arange(12, dtype=np.uint8).reshape(3, 4)
    out = resize_grey(grey, 4, 3)
    assert np.array_equal(out, grey) and out is not grey


@pytest.mark.parametrize(
    ("size", "mode", "side"),
    [
        ((240, 300), "RGB", 256),  # a demo photo's thumbnail
        ((1411, 1411), "RGB", 1024),  # a large photo to the working size
        ((1536, 1000), "RGB", 1024),
        ((1000, 1536), "L", 1024),
        ((1024, 700), "RGB", 256),  # a shrink of 4x: Pillow reduces first, and does it here
        ((200, 100), "RGB", 256),  # already small: unchanged
    ],
)
def test_thumbnail_is_pillows(size: tuple[int, int], mode: str, side: int) -> None:
    rng = np.random.default_rng(size[0])
    shape = (size[1], size[0], 3) if mode == "RGB" else (size[1], size[0])
    image = Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8))
    image.info["comment"] = b"kept, as Pillow keeps it"
    expected = image.copy()
    expected.thumbnail((side, side), Image.Resampling.LANCZOS)
    got = thumbnail(image, side)
    assert got.size == expected.size and got.mode == expected.mode
    assert got.tobytes() == expected.tobytes() and got.info == expected.info
    assert image.size == size  # the original is left as it was
