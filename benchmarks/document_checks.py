"""What judging a document by its content costs, at the size cap and on the files built to
make it slow: milliseconds per check (median of `--rounds`), accepted or refused.

    python -m benchmarks.document_checks [--rounds 5]

The worst cases are the checker's own loops: a PDF that is one long run of stream keywords
(each looked up, none inflating), a PDF of thousands of small Flate streams (each inflated and
scanned), the same full of dictionary brackets, 20 MiB of text, a DOCX at the part-count cap,
and zip bombs, which must be refused from the ZIP's directory alone.
"""

import argparse
import statistics
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from register.document_content import MAX_DOCUMENT_BYTES, DocumentRejected, check_document

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.document_samples import docx, many_parts_docx, pdf, zip_bomb_docx


def _padded_pdf(filler: bytes) -> bytes:
    """A valid PDF whose one extra object is `filler`, repeated to just under the cap."""
    room = MAX_DOCUMENT_BYTES - len(pdf()) - 1024
    return pdf(filler * (room // len(filler)))


def _many_streams(count: int) -> bytes:
    page = zlib.compress(b"BT /F1 12 Tf (Risk of serious harm) Tj ET " * 40)
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(page) + page + b"\nendstream"
    return pdf(*[stream] * count)


CASES: dict[str, Callable[[], bytes]] = {
    "text, 20 MiB": lambda: ("All well at the visit. " * 1_000_000)[
        : MAX_DOCUMENT_BYTES - 1
    ].encode(),
    "pdf, 20 MiB of stream keywords": lambda: _padded_pdf(b"stream\n"),
    "pdf, 20 MiB of << brackets": lambda: _padded_pdf(b"<<"),
    "pdf, 20,000 Flate streams": lambda: _many_streams(20_000),
    "pdf, 20 MiB of empty Flate streams": lambda: _padded_pdf(b"<</Filter/Fl>>stream\nendstream "),
    "docx, small": docx,
    "docx, 2,000 parts": lambda: many_parts_docx(1995),
    "docx, zip bomb (210 MiB)": zip_bomb_docx,
    "docx, 2,500 parts": lambda: many_parts_docx(2500),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print("| file | size | verdict | ms (median) |")
        print("|---|---|---|---|")
        for name, make in CASES.items():
            path = Path(folder) / "upload"
            path.write_bytes(make())
            times = []
            for _ in range(args.rounds):
                started = time.perf_counter()
                verdict: str
                try:
                    verdict = check_document(path).format
                except DocumentRejected as error:
                    verdict = f"refused: {str(error)[:50]}"
                times.append((time.perf_counter() - started) * 1000)
            size = path.stat().st_size
            median = statistics.median(times)
            print(f"| {name} | {size / 1024 / 1024:.1f} MiB | {verdict} | {median:.0f} |")


if __name__ == "__main__":
    main()
