"""Coverage-guided fuzzing (atheris, libFuzzer) of decode-and-re-encode: any input is either
refused by `decode_bytes` with PhotoRejected, or decodes to an 8-bit RGB working image that
re-encodes to JPEG and PNG and decodes again. Anything else (another exception, a hang past
-timeout, memory past -rss_limit_mb) is a finding, which atheris saves as crash-<sha1>.

    python -m tests.reliability.fuzz_decode -atheris_runs=2000          # what CI runs
    python -m tests.reliability.fuzz_decode -max_total_time=3600 -rss_limit_mb=2048 \\
        -timeout=30 fuzz-corpus/                                      # a longer run

With no corpus folder given, it starts from seeds written to a temporary folder: small
JPEG, PNG and WebP photos in several modes. Give a folder to keep what it learns.
"""

import io
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from PIL import Image

    from imaging.blobstore import PhotoRejected
    from imaging.decode import decode_bytes

_FORMATS = (("JPEG", "RGB"), ("JPEG", "L"), ("JPEG", "CMYK"), ("PNG", "RGBA"), ("PNG", "P"))


def seeds() -> dict[str, bytes]:
    gradient = Image.linear_gradient("L").resize((48, 40)).convert("RGB")
    found = {}
    for format, mode in _FORMATS:
        out = io.BytesIO()
        gradient.convert(mode).save(out, format=format)
        found[f"{format.lower()}-{mode.lower()}"] = out.getvalue()
    out = io.BytesIO()
    gradient.save(out, format="WEBP")
    found["webp"] = out.getvalue()
    out = io.BytesIO()
    gradient.convert("I;16").save(out, format="PNG")
    found["png-16"] = out.getvalue()
    return found


def test_one_input(data: bytes) -> None:
    try:
        decoded = decode_bytes(data)
    except PhotoRejected:
        return
    image = decoded.image
    assert image.mode == "RGB", image.mode
    assert max(image.size) <= 1024 and min(image.size) >= 1, image.size
    for format in ("JPEG", "PNG"):
        out = io.BytesIO()
        image.save(out, format=format)
        again = decode_bytes(out.getvalue())
        assert again.image.size == image.size, (format, again.image.size, image.size)


def main(argv: list[str]) -> None:
    arguments = list(argv)
    if not any(not a.startswith("-") for a in arguments[1:]):
        folder = Path(tempfile.mkdtemp(prefix="visor-fuzz-seeds-"))
        for name, content in seeds().items():
            (folder / name).write_bytes(content)
        arguments.append(str(folder))
    atheris.Setup(arguments, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
