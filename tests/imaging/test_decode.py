"""Bad and awkward photo files: each gets a clear reason or decodes correctly, never a crash."""

import io
import random
import re
import struct
import tracemalloc
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from imaging.blobstore import PhotoRejected
from imaging.decode import (
    MAX_PIXELS,
    WORKING_SIZE,
    _polyglot_marker,
    decode_bytes,
    decode_photo,
)
from tests.imaging.photo_corpus import real_photos


def encoded(image: Image.Image, format: str = "JPEG", **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=format, **options)
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def jpeg_with_app1(payload: bytes) -> bytes:
    """A real JPEG with an extra APP1 (EXIF) segment holding `payload`."""
    plain = encoded(Image.new("RGB", (64, 48), (200, 30, 30)))
    segment = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return plain[:2] + segment + plain[2:]


ROCKET = real_photos()["skimage/rocket.jpg"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "file is empty"),
        (b"just some text, named photo.jpg", "not a JPEG, PNG or WebP"),
        (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n", "not a JPEG, PNG or WebP"),
        (ROCKET[: len(ROCKET) // 2], "corrupt or truncated"),
        (ROCKET[:200], "corrupt or truncated"),
        (png_declaring(100_000, 100_000), "decompression bomb"),
        (png_declaring(8000, 6000), "too many pixels .*48000000"),
        (png_declaring(2**31 - 1, 1), "too many pixels"),
        ((Path(__file__).parent / "no-such").as_posix().encode(), "not a JPEG, PNG or WebP"),
        (ROCKET + b"<html><body><script>alert(1)</script></body></html>", "polyglot"),
        (ROCKET[:400] + b"<!-- <script>fetch('/x')</script> -->" + ROCKET[400:], "polyglot"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "header is malformed"),
    ],
)
def test_bad_files_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(PhotoRejected, match=reason):
        decode_bytes(data)


@pytest.mark.parametrize(
    "payload",
    [
        b"<HTML>",
        b"< \t sCrIpT src=x>",
        b"<IFRAME/",
        b"<Svg onload=x>",
        b"<BODY>",
        b"<object data=x>",
        b"<EMBED src=x>",
        b"<?PHP echo 1;",
        b"%pdf-1.7",
        b"<!doctype html>",
        b"RAR!\x1a\x07\x00",
        b"7Z\xbc\xaf\x27\x1c",
    ],
)
def test_every_polyglot_marker_is_found_in_any_case(payload: bytes) -> None:
    # The scan runs on the lowered bytes: every marker must be found whatever its case.
    with pytest.raises(PhotoRejected, match="polyglot"):
        decode_bytes(ROCKET[:400] + payload + ROCKET[400:])


# The definition the scan must agree with: one case-insensitive alternation over the bytes.
_MARKERS_DEFINED = re.compile(
    rb"<\s*(?:html|script|iframe|svg|body|object|embed)\b|<\?php|%PDF-|<!DOCTYPE"
    rb"|Rar!\x1a\x07|7z\xbc\xaf\x27\x1c",
    re.IGNORECASE,
)


def test_the_polyglot_scan_finds_the_first_marker_the_definition_finds() -> None:
    rng = random.Random(5)
    pieces = [b"<html>", b"< SCRIPT", b"<?PHP", b"%PDF-1", b"<!DocType", b"Rar!\x1a\x07"]
    pieces += [b"7Z\xbc\xaf\x27\x1c", b"<svg", b"<svgx", b"<\n body", b"<OBJECT", b"<embed_"]
    for _ in range(3000):
        data = bytearray(rng.randbytes(rng.randint(0, 200)))
        for _ in range(rng.randint(0, 3)):
            piece = rng.choice(pieces)
            piece = piece[: rng.randint(1, len(piece))] if rng.random() < 0.5 else piece
            at = rng.randint(0, len(data))
            data[at:at] = piece
        expected = _MARKERS_DEFINED.search(bytes(data))
        assert _polyglot_marker(bytes(data)) == (expected.span() if expected else None)
    for photo in real_photos().values():
        assert _polyglot_marker(photo) is None


def test_an_animated_gif_or_webp_is_refused() -> None:
    import skimage

    gif = (Path(skimage.__file__).parent / "data" / "no_time_for_that_tiny.gif").read_bytes()
    with pytest.raises(PhotoRejected, match="not a JPEG, PNG or WebP"):
        decode_bytes(gif)
    frames = [Image.new("RGB", (20, 20), (i * 60, 0, 0)) for i in range(3)]
    webp = encoded(frames[0], "WEBP", save_all=True, append_images=frames[1:])
    with pytest.raises(PhotoRejected, match="animated"):
        decode_bytes(webp)


def test_a_bomb_is_refused_before_it_is_decoded() -> None:
    tracemalloc.start()
    with pytest.raises(PhotoRejected):
        decode_bytes(png_declaring(100_000, 100_000))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 5 * 1024 * 1024  # 10 gigapixels were never allocated


def test_cmyk_jpeg_becomes_rgb_with_the_right_colour() -> None:
    decoded = decode_bytes(encoded(Image.new("CMYK", (40, 30), (0, 255, 255, 0))))
    assert decoded.image.mode == "RGB"
    red, green, blue = decoded.image.getpixel((10, 10))  # type: ignore[misc]
    assert red > 200 and green < 60 and blue < 60


def test_sixteen_bit_png_is_scaled_not_clipped() -> None:
    pixels = np.full((30, 30), 40000, dtype=np.uint16)
    decoded = decode_bytes(encoded(Image.fromarray(pixels), "PNG"))
    assert decoded.image.getpixel((5, 5)) == (156, 156, 156)  # 40000 / 65535 * 255


def test_transparent_png_is_composited_on_white() -> None:
    decoded = decode_bytes(encoded(Image.new("RGBA", (10, 10), (0, 0, 0, 0)), "PNG"))
    assert decoded.image.getpixel((2, 2)) == (255, 255, 255)


@pytest.mark.parametrize(
    "payload",
    [
        b"Exif\x00\x00" + b"\xde\xad\xbe\xef" * 20,  # malformed TIFF structure
        b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\xff\xff" + b"\x00" * 100,  # absurd entry count
        b"Exif\x00\x00II*\x00" + b"\x08\x00\x00\x00" + b"A" * 65_000,  # a huge block
    ],
)
def test_malformed_or_huge_exif_costs_nothing_but_the_orientation(payload: bytes) -> None:
    decoded = decode_bytes(jpeg_with_app1(payload))
    assert decoded.image.size == (64, 48)


def test_exif_orientation_is_applied() -> None:
    image = Image.new("RGB", (80, 40), (0, 0, 0))
    image.paste((255, 255, 255), (0, 0, 40, 40))  # white on the left
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: display turned 90 degrees clockwise
    decoded = decode_bytes(encoded(image, exif=exif.tobytes()))
    assert (decoded.width, decoded.height) == (40, 80)
    assert decoded.image.getpixel((20, 10))[0] > 200  # type: ignore[index]  # white on top


def test_large_photos_are_reduced_to_the_working_size_and_jpegs_use_draft_mode() -> None:
    big = Image.fromarray(np.random.default_rng(1).integers(0, 255, (2400, 3200, 3), np.uint8))
    decoded = decode_bytes(encoded(big))
    assert (decoded.width, decoded.height) == (3200, 2400)
    assert max(decoded.image.size) == WORKING_SIZE and decoded.draft_used
    assert not decode_bytes(encoded(big), draft=False).draft_used


def test_a_file_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    from imaging.blobstore import MAX_PHOTO_BYTES

    path = tmp_path / "huge.jpg"
    with path.open("wb") as out:
        out.truncate(MAX_PHOTO_BYTES + 1)
    with pytest.raises(PhotoRejected, match="MiB limit"):
        decode_photo(path)
    assert MAX_PIXELS == 40_000_000


def test_a_jpeg_with_thousands_of_scans_is_refused_before_decoding() -> None:
    scan = b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"
    bomb = ROCKET[:-2] + scan * 1000 + b"\xff\xd9"
    with pytest.raises(PhotoRejected, match="JPEG scans, over the 100 limit"):
        decode_bytes(bomb)


def test_a_multi_picture_jpeg_is_read_as_its_first_picture() -> None:
    first, second = Image.new("RGB", (60, 40), (200, 0, 0)), Image.new("RGB", (60, 40), (0, 0, 200))
    mpo = encoded(first, "MPO", save_all=True, append_images=[second])
    decoded = decode_bytes(mpo)
    assert decoded.image.getpixel((5, 5))[0] > 150  # type: ignore[index]


def test_very_thin_images_decode_and_analyse() -> None:
    from imaging.analysis import analyse

    for size in ((1, 1100), (3000, 2), (1, 1)):
        decoded = decode_bytes(encoded(Image.new("RGB", size, (90, 90, 90)), "PNG"))
        analysis = analyse(decoded, "x" * 64, find_faces=True)
        assert analysis.quality.faces is not None and analysis.quality.faces.count == 0


def test_converting_a_huge_sixteen_bit_image_makes_no_full_size_copies() -> None:
    pixels = np.full((6000, 6000), 30000, dtype=np.uint16)
    data = encoded(Image.fromarray(pixels), "PNG")
    tracemalloc.start()
    decoded = decode_bytes(data)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert max(decoded.image.size) == WORKING_SIZE
    assert peak < 64 * 1024 * 1024  # a full-size float64 copy alone would be 288 MB


def test_a_pipe_is_not_read(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "photo.jpg"
    os.mkfifo(fifo)
    with pytest.raises(PhotoRejected, match="not a regular file"):
        decode_photo(fifo)


def test_a_missing_photo_is_said_to_be_missing(tmp_path: Path) -> None:
    with pytest.raises(PhotoRejected, match=r"^file not found$"):
        decode_photo(tmp_path / "missing.jpg")
