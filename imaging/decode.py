"""Safe decoding: the attack surface of the photo library.

Checks run cheapest first and before any full decode: size on disk, format by content
against an allow-list, the number of JPEG scans, markup or an archive hidden in the bytes
(polyglots), and the pixel count the header declares. Pillow's decompression-bomb warning is
an error here, and a file whose data stops short is refused rather than padded with grey
(one cut short but given a fresh end marker still decodes, grey at the bottom: the quality
metrics show it). EXIF orientation is applied, and every mode (CMYK, 16-bit, palette, alpha)
comes out as 8-bit RGB.
"""

import io
import re
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile, UnidentifiedImageError

from imaging.blobstore import MAX_PHOTO_BYTES, PhotoRejected
from imaging.formats import sniff_media_type
from imaging.resample import thumbnail

MAX_PIXELS = 40_000_000  # a 40-megapixel camera frame; a mugshot is a fraction of that
# A progressive JPEG rarely has more than a dozen scans; each costs a pass over every
# coefficient, so thousands of tiny scans in a small file are a CPU bomb.
MAX_JPEG_SCANS = 100
WORKING_SIZE = 1024  # long side of the working copy that hashes and metrics are computed on

_PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}

# Markup or another format's header inside an image file: a polyglot that a browser or
# another tool could read as something else. Random compressed data contains these byte
# strings with negligible probability (each is 5+ bytes). Matched case-insensitively: the
# scan runs on the file's bytes in ASCII lower case (bytes.lower() changes A-Z only, and
# neither \s nor \b depends on case), so the patterns are written in lower case.
_MARKUP_MARKER = re.compile(
    rb"<(?:\s*(?:html|script|iframe|svg|body|object|embed)\b|\?php|!doctype)"
)
# Markers with no "<": a PDF header, and RAR and 7-Zip archives, which their tools find
# anywhere in a file (6-byte signatures).
_LITERAL_MARKERS = (b"%pdf-", b"rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c")


def _polyglot_marker(data: bytes) -> tuple[int, int] | None:
    """(start, end) of the first polyglot marker in `data`, or None. One regular expression
    whose every match begins with "<" (the engine skips to each "<" in C) and three plain
    substring searches: six times faster than one case-insensitive alternation, which the
    engine tries at every byte, and the same first match."""
    lowered = data.lower()
    found = _MARKUP_MARKER.search(lowered)
    first = found.span() if found else None
    for literal in _LITERAL_MARKERS:
        at = lowered.find(literal)
        if at != -1 and (first is None or at < first[0]):
            first = (at, at + len(literal))
    return first


# A ZIP archive (a JAR, a DOCX...) is read from its end: its end-of-central-directory record,
# 22 bytes and a comment of at most 65,535, must finish exactly at the end of the file.
_ZIP_END = b"PK\x05\x06"
_ZIP_END_SPAN = 22 + 65_535


def _zip_appended(data: bytes) -> int | None:
    """Where a ZIP archive's end record sits in `data`, if a ZIP reader would find one."""
    tail_start = max(0, len(data) - _ZIP_END_SPAN)
    at = data.rfind(_ZIP_END, tail_start)
    while at != -1:
        if at + 22 <= len(data):
            (comment,) = struct.unpack_from("<H", data, at + 20)
            if at + 22 + comment == len(data):
                return at
        at = data.rfind(_ZIP_END, tail_start, at)
    return None


# Pillow's own safety net sits at twice our cap; ours is checked first with a clear message.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
ImageFile.LOAD_TRUNCATED_IMAGES = False


@dataclass(frozen=True)
class DecodedPhoto:
    image: Image.Image  # 8-bit RGB, upright, at most WORKING_SIZE on its long side
    width: int  # of the original, upright
    height: int
    media_type: str
    draft_used: bool


def decode_photo(path: Path, draft: bool = True) -> DecodedPhoto:
    """Decode an untrusted photo file, or raise `PhotoRejected` saying why."""
    return decode_bytes(read_photo_file(path), draft)


def read_photo_file(path: Path) -> bytes:
    """The bytes of a photo file, refusing what is not a regular file or is over the size
    limit (raises `PhotoRejected`)."""
    try:
        if not path.exists():
            raise PhotoRejected("file not found")
        if not path.is_file():  # a pipe or device reports no size and may never end
            raise PhotoRejected("not a regular file")
        with path.open("rb") as source:
            data = source.read(MAX_PHOTO_BYTES + 1)
    except OSError as error:
        raise PhotoRejected(f"cannot read file: {error.strerror or error}") from error
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoRejected(f"larger than the {MAX_PHOTO_BYTES // (1024 * 1024)} MiB limit")
    return data


def decode_bytes(data: bytes, draft: bool = True) -> DecodedPhoto:
    if not data:
        raise PhotoRejected("file is empty")
    media_type = sniff_media_type(data[:16])
    if media_type is None:
        raise PhotoRejected("not a JPEG, PNG or WebP image (checked by content)")
    if media_type == "image/jpeg" and (scans := data.count(b"\xff\xda")) > MAX_JPEG_SCANS:
        raise PhotoRejected(f"{scans} JPEG scans, over the {MAX_JPEG_SCANS} limit (a CPU bomb)")
    if marker := _polyglot_marker(data):
        raise PhotoRejected(
            f"contains {data[marker[0] : marker[1]][:20]!r} at byte {marker[0]}: "
            "an image with embedded markup or another format (polyglot) is not accepted"
        )
    if (at := _zip_appended(data)) is not None:
        raise PhotoRejected(
            f"a ZIP archive ends at byte {at}: an image with another format appended "
            "(polyglot) is not accepted"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # corrupt EXIF: handled in _orientation
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[media_type]])
            return _decode_opened(image, media_type, draft)
        except PhotoRejected:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
            raise PhotoRejected(f"too many pixels (decompression bomb): {error}") from error
        except UnidentifiedImageError as error:
            raise PhotoRejected("not a readable image: the header is malformed") from error
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            # Pillow reports truncated and corrupt data as OSError or SyntaxError.
            raise PhotoRejected(f"corrupt or truncated image: {error}") from error


def _decode_opened(image: Image.Image, media_type: str, draft: bool) -> DecodedPhoto:
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise PhotoRejected(
            f"{width}x{height} is {width * height:,} pixels, over the {MAX_PIXELS:,} limit"
        )
    # A JPEG with an MPF index (phone photos with a depth or gain map) opens as several
    # frames; its first frame is the photo. PNG and WebP with frames are animations.
    if media_type != "image/jpeg" and getattr(image, "n_frames", 1) > 1:
        raise PhotoRejected("animated image: a photo must have a single frame")
    orientation = _orientation(image)
    draft_used = False
    if draft and media_type == "image/jpeg":
        # Decode at 1/2, 1/4 or 1/8 scale in the DCT when that still leaves the working
        # size: far less work, and the hashes do not change (see benchmarks/photo_ingest.py).
        # Pillow keeps a scale only if both sides stay at or above the request, so ask for
        # the working size with the photo's own aspect ratio.
        shrink = min(1.0, WORKING_SIZE / max(width, height))
        image.draft("RGB", (max(1, round(width * shrink)), max(1, round(height * shrink))))
        draft_used = image.size != (width, height)
    image.load()
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    image = _upright(image, orientation)
    if image.mode == "P":
        image = image.convert("RGBA")  # resampling palette indices would be meaningless
    # Shrink in the image's own mode first, so that converting a 40-megapixel 16-bit or
    # transparent image never makes full-size float or RGBA copies.
    if max(image.size) > WORKING_SIZE:
        # Pillow's fast pre-reduction step has no 16-bit implementation.
        gap = None if image.mode.startswith("I;16") else 2.0
        # Pillow's thumbnail, the same pixels (imaging/resample.py: faster for RGB and grey).
        image = thumbnail(image, WORKING_SIZE, reducing_gap=gap)
    image = to_rgb8(image)
    return DecodedPhoto(image, width, height, media_type, draft_used)


def _orientation(image: Image.Image) -> int:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow warns of corrupt EXIF; we handle it
            value = image.getexif().get(0x0112, 1)
    except Exception:  # malformed EXIF must not cost the photo: treat it as upright
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _upright(image: Image.Image, orientation: int) -> Image.Image:
    transpose = {
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_270,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_90,
    }.get(orientation)
    return image.transpose(transpose) if transpose is not None else image


def to_rgb8(image: Image.Image) -> Image.Image:
    """Any Pillow mode as 8-bit RGB. 16- and 32-bit greys are scaled, not clipped at 255."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        pixels = np.asarray(image, dtype=np.float64)
        top = 65535.0 if image.mode.startswith("I;16") else max(float(pixels.max()), 1.0)
        grey = np.clip(pixels / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return Image.fromarray(grey, "L").convert("RGB")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Transparent areas become white, as on a printed record.
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    # CMYK (Pillow undoes Adobe's inverted JPEG CMYK on load), palette, grey, YCbCr.
    return image.convert("RGB") if image.mode != "RGB" else image
