"""What a document attached to a nominal really is, judged by its content alone (never by its
file name or the type its sender declared): a PDF, a DOCX or UTF-8 plain text, or refused
with the reason.

- PDF: the `%PDF-` header, then the end of the file: `startxref` naming an offset inside it
  where a cross-reference table or stream begins, and `%%EOF`. Active content is refused,
  not merely flagged (a register's documents are read by people on shared machines, and
  nobody needs a risk assessment that runs code): JavaScript, launch and submit actions,
  embedded files, rich media and XFA forms, looked for in the names of the file and of its
  Flate-compressed streams (where object streams hide dictionaries), `#xx` escapes undone;
  each stream is inflated a piece at a time, so one that inflates far holds little memory.
- DOCX: a ZIP holding `[Content_Types].xml` (declaring `word/document.xml` as a Word
  document, not a macro-enabled one) and a well-formed `word/document.xml`; bounded entry
  count and uncompressed size (zip bombs: the sizes a ZIP declares bound what zipfile will
  inflate), no part compressed more than MAX_DOCX_RATIO to one (a bomb that stays under the
  sizes: 75 KB inflating to a 49 MiB document.xml took a minute and 740 MiB to parse whole),
  no macros (`vbaProject.bin`), no ActiveX controls, no embedded OLE objects, no DTDs (entity
  expansion). The XML parts are read as a stream, never built into a tree, so memory stays
  flat whatever they hold.
- Text: UTF-8 (a byte-order mark allowed), without NULs or other control characters
  than tab, line feed, form feed and carriage return.

An executable (Windows PE, ELF, Mach-O, a script) is refused as such, whatever it is called,
and so is a polyglot that PDF readers would open as a PDF (its header within the first
kilobyte, not at its start). Inside a DOCX, no part may be a program, an archive (a nested
ZIP) or an OLE container, and nothing may be embedded (`word/embeddings/`).
"""

import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from xml.parsers import expat

from foundation.errors import InvalidInput

DocumentFormat = Literal["pdf", "docx", "text"]
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_DOCX_ENTRIES = 2000
MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_DOCX_PART = 50 * 1024 * 1024  # one XML part
# Word's own XML compresses some 5 to 20 to one; zip bombs a thousand and more. Parts this
# small are let be, whatever their ratio: they cost nothing.
MAX_DOCX_RATIO = 100
DOCX_RATIO_FLOOR = 1024 * 1024
XML_CHUNK = 1024 * 1024
MAX_PDF_INFLATED = 200 * 1024 * 1024  # all of a PDF's Flate streams together
MAX_PDF_STREAMS = 50_000
INFLATE_CHUNK = 4 * 1024 * 1024  # what one stream holds inflated at a time
NAME_OVERLAP = 256  # a name cut by a chunk's end is looked for again in the next

MEDIA_TYPES: dict[DocumentFormat, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "text": "text/plain; charset=utf-8",
}
EXTENSIONS: dict[DocumentFormat, str] = {"pdf": ".pdf", "docx": ".docx", "text": ".txt"}

_EXECUTABLES = (
    (b"MZ", "a Windows executable (PE)"),
    (b"\x7fELF", "a Linux executable (ELF)"),
    (b"\xcf\xfa\xed\xfe", "a macOS executable (Mach-O)"),
    (b"\xce\xfa\xed\xfe", "a macOS executable (Mach-O)"),
    (b"\xfe\xed\xfa\xce", "a macOS executable (Mach-O)"),
    (b"\xfe\xed\xfa\xcf", "a macOS executable (Mach-O)"),
    (b"\xca\xfe\xba\xbe", "a macOS universal executable or Java class"),
    (b"#!", "a script (#!)"),
)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
PDF_HEADER_WINDOW = 1024  # where PDF readers look for %PDF-


def _executable(head: bytes) -> str | None:
    """What executable `head` begins, if any."""
    return next((what for magic, what in _EXECUTABLES if head.startswith(magic)), None)


class DocumentRejected(InvalidInput):
    """The file is not accepted as a document; the message says why."""


@dataclass(frozen=True)
class CheckedDocument:
    format: DocumentFormat

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]


def check_document(path: Path, max_bytes: int = MAX_DOCUMENT_BYTES) -> CheckedDocument:
    """What the file at `path` is, or DocumentRejected saying why it is not accepted."""
    size = path.stat().st_size
    if size == 0:
        raise DocumentRejected("the document is empty")
    if size > max_bytes:
        raise DocumentRejected(f"larger than the {max_bytes // (1024 * 1024)} MiB limit")
    with path.open("rb") as source:
        head = source.read(PDF_HEADER_WINDOW)
    if (what := _executable(head)) is not None:
        raise DocumentRejected(f"{what}, not a document (judged by content, not by name)")
    if (at := head.find(b"%PDF-", 1)) > 0 and not head.startswith(b"%PDF-"):
        # PDF readers look for the header anywhere in the first kilobyte: this file would
        # open as a PDF there and as something else here.
        raise DocumentRejected(
            f"a polyglot: a PDF header at byte {at} of a file that does not begin with one"
        )
    if head.startswith(b"%PDF-"):
        _check_pdf(path.read_bytes())
        return CheckedDocument("pdf")
    if head.startswith(_ZIP):
        _check_docx(path)
        return CheckedDocument("docx")
    if head.startswith(_OLE):
        raise DocumentRejected(
            "a legacy Office file (OLE: .doc, .xls), which may carry macros: send DOCX or PDF"
        )
    _check_text(path.read_bytes())
    return CheckedDocument("text")


# --- PDF --------------------------------------------------------------------------------------

_PDF_HEADER = re.compile(rb"%PDF-(1\.[0-7]|2\.0)[\r\n \t%]")
_STARTXREF = re.compile(rb"startxref\s+(\d{1,12})\s+%%EOF\s*$")
_XREF_OBJECT = re.compile(rb"\s*\d{1,10}\s+\d{1,5}\s+obj\b")
_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# A Flate filter's name in a stream's dictionary, and the keyword that then opens the
# stream's data (not the end of `endstream`).
_FLATE = re.compile(rb"/Fl(?:ateDecode)?(?![A-Za-z0-9])")
_STREAM = re.compile(rb"(?<!end)stream\r?\n")
ACTIVE_PDF_NAMES = {
    b"JavaScript": "JavaScript",
    b"JS": "JavaScript",
    b"Launch": "an action that launches a program",
    b"SubmitForm": "a form that submits data",
    b"ImportData": "an action that imports data",
    b"EmbeddedFile": "an embedded file",
    b"EmbeddedFiles": "embedded files",
    b"RichMedia": "rich media (Flash, video)",
    b"XFA": "an XFA form (scriptable)",
}


def _check_pdf(data: bytes) -> None:
    if not _PDF_HEADER.match(data):
        raise DocumentRejected("not a PDF: the %PDF- header names no PDF version (1.0-2.0)")
    tail = data[-1024:]
    found = _STARTXREF.search(tail)
    if found is None:
        raise DocumentRejected(
            "not a whole PDF: it does not end with startxref and %%EOF (cut short?)"
        )
    offset = int(found.group(1))
    if offset >= len(data):
        raise DocumentRejected("a broken PDF: startxref points past the end of the file")
    at = data[offset : offset + 64]
    if at.startswith(b"xref"):
        if b"trailer" not in data[offset:] or b"/Root" not in data[offset:]:
            raise DocumentRejected("a broken PDF: its cross-reference table has no trailer")
    elif not _XREF_OBJECT.match(at) or b"/XRef" not in data[offset : offset + 4096]:
        raise DocumentRejected(
            "a broken PDF: startxref points at neither a cross-reference table nor a stream"
        )
    for content in _pdf_contents(data):
        for raw in _NAME.findall(content):
            name = _HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)
            if name in ACTIVE_PDF_NAMES:
                raise DocumentRejected(
                    f"a PDF with active content ({ACTIVE_PDF_NAMES[name]}: /{name.decode()}) "
                    "is not accepted; print it to a new PDF without it"
                )


def _pdf_contents(data: bytes) -> Iterator[bytes]:
    """The file, then each Flate stream inflated, within MAX_PDF_INFLATED in all. Streams
    are found from their filter's name, so that a file of stream keywords costs nothing, and
    at most MAX_PDF_STREAMS of them are opened."""
    yield data
    budget, streams, resume = MAX_PDF_INFLATED, 0, 0
    for marker in _FLATE.finditer(data):
        if marker.start() < resume:
            continue  # inside the data of a stream already read
        opened = _STREAM.search(data, marker.end(), marker.end() + 2048)
        if opened is None:
            continue
        streams += 1
        if streams > MAX_PDF_STREAMS:
            raise DocumentRejected(f"a PDF with more than {MAX_PDF_STREAMS:,} compressed streams")
        start = opened.end()
        end = data.find(b"endstream", start)
        if end < 0:
            raise DocumentRejected("a broken PDF: a stream has no endstream")
        resume = end
        for inflated in _inflated(data[start:end]):
            budget -= len(inflated)
            if budget < 0:
                raise DocumentRejected(
                    f"a PDF whose streams inflate to more than "
                    f"{MAX_PDF_INFLATED // (1024 * 1024)} MiB (a decompression bomb)"
                )
            yield inflated


def _inflated(compressed: bytes) -> Iterator[bytes]:
    """A Flate stream inflated INFLATE_CHUNK bytes at a time, each piece beginning with
    the last NAME_OVERLAP bytes of the one before (counted again, which errs on the safe
    side of the budget). A damaged stream ends where it breaks: it hides nothing a reader
    could run beyond that point."""
    inflater = zlib.decompressobj()
    pending, tail = compressed, b""
    while pending:
        try:
            piece = inflater.decompress(pending, INFLATE_CHUNK)
        except zlib.error:
            return
        pending = inflater.unconsumed_tail
        if not piece:
            return
        yield tail + piece
        tail = piece[-NAME_OVERLAP:]


# --- DOCX -------------------------------------------------------------------------------------

_CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_WORD_MAIN = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}document"
_DOCUMENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def _check_docx(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            _check_archive(archive)
    except DocumentRejected:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as error:
        raise DocumentRejected(f"not a readable DOCX (ZIP) file: {error}") from error
    except (RuntimeError, NotImplementedError) as error:  # encrypted, unknown compression
        raise DocumentRejected(f"a DOCX that cannot be read: {error}") from error


def _check_archive(archive: zipfile.ZipFile) -> None:
    entries = archive.infolist()
    if len(entries) > MAX_DOCX_ENTRIES:
        raise DocumentRejected(
            f"a DOCX with {len(entries)} parts, over the {MAX_DOCX_ENTRIES} limit"
        )
    total = sum(entry.file_size for entry in entries)
    if total > MAX_DOCX_UNCOMPRESSED:
        raise DocumentRejected(
            f"a DOCX that expands to {total:,} bytes, over the "
            f"{MAX_DOCX_UNCOMPRESSED // (1024 * 1024)} MiB limit (a zip bomb)"
        )
    for entry in entries:
        if entry.file_size > DOCX_RATIO_FLOOR and entry.file_size > MAX_DOCX_RATIO * max(
            entry.compress_size, 1
        ):
            raise DocumentRejected(
                f"a DOCX whose part {entry.filename} inflates {entry.file_size:,} bytes from "
                f"{entry.compress_size:,}, over {MAX_DOCX_RATIO} to one (a zip bomb)"
            )
    names = {entry.filename for entry in entries}
    for name in names:
        lower = name.lower()
        if lower.endswith("vbaproject.bin") or lower.endswith("vbadata.xml"):
            raise DocumentRejected(f"a DOCX with macros ({name}) is not accepted")
        if "/activex/" in f"/{lower}":
            raise DocumentRejected(f"a DOCX with ActiveX controls ({name}) is not accepted")
        if lower.startswith("word/embeddings/"):
            raise DocumentRejected(f"a DOCX with an embedded object ({name}) is not accepted")
    _check_payloads(archive, entries)
    for required in ("[Content_Types].xml", "word/document.xml"):
        if required not in names:
            raise DocumentRejected(f"not a Word document: a DOCX has {required}, this has not")
    declared: dict[str, str] = {}

    def override(tag: str, attributes: dict[str, str]) -> None:
        if tag == f"{_CONTENT_TYPES}Override":
            declared[attributes.get("PartName", "").lower()] = attributes.get("ContentType", "")

    if _scan_part(archive, "[Content_Types].xml", override) != f"{_CONTENT_TYPES}Types":
        raise DocumentRejected("not a Word document: [Content_Types].xml is not a Types list")
    for content_type in declared.values():
        if "macroenabled" in content_type.lower() or "vbaproject" in content_type.lower():
            raise DocumentRejected(
                f"a macro-enabled Word document ({content_type}) is not accepted"
            )
    if declared.get("/word/document.xml") != _DOCUMENT_TYPE:
        raise DocumentRejected("not a Word document: word/document.xml is not declared as one")
    if _scan_part(archive, "word/document.xml") != _WORD_MAIN:
        raise DocumentRejected("not a Word document: word/document.xml holds no w:document")


def _check_payloads(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    """No part is a program, an archive or an OLE container, whatever it is called: Word
    keeps XML, images and fonts in a DOCX, and a ZIP inside one (a nested bomb, a package
    for another program) is nothing a risk assessment needs. Only each part's first bytes are
    inflated."""
    for entry in entries:
        if entry.is_dir() or entry.file_size == 0:
            continue
        with archive.open(entry) as part:
            head = part.read(8)
        what = _executable(head) or (
            "a ZIP archive"
            if head.startswith(_ZIP)
            else "an OLE container"
            if head.startswith(_OLE)
            else None
        )
        if what is not None:
            raise DocumentRejected(f"a DOCX whose part {entry.filename} is {what}: not accepted")


class _Refused(Exception):
    """Raised inside the XML parser's callbacks; carries the refusal out of it."""


def _scan_part(
    archive: zipfile.ZipFile,
    name: str,
    on_element: Callable[[str, dict[str, str]], None] | None = None,
) -> str:
    """Read an XML part through expat as a stream, within MAX_DOCX_PART: refused if it is
    not well-formed or declares a DTD or an entity; `on_element` sees each element's
    `{namespace}name` and attributes. Returns the root element's name."""
    if archive.getinfo(name).file_size > MAX_DOCX_PART:
        raise DocumentRejected(f"{name} is over the {MAX_DOCX_PART // (1024 * 1024)} MiB limit")
    parser = expat.ParserCreate(namespace_separator="}")
    root: list[str] = []

    def dtd(*_details: object) -> None:
        raise _Refused(f"{name} declares a DTD or entities, which a DOCX never needs")

    def start(tag: str, attributes: dict[str, str]) -> None:
        tag = f"{{{tag}" if "}" in tag else tag
        if not root:
            root.append(tag)
            if on_element is None:
                parser.StartElementHandler = None  # the root was all it asked for
        if on_element is not None:
            on_element(tag, attributes)

    parser.StartDoctypeDeclHandler = dtd
    parser.EntityDeclHandler = dtd
    parser.StartElementHandler = start
    read = 0
    try:
        with archive.open(name) as part:
            while chunk := part.read(XML_CHUNK):
                read += len(chunk)
                if read > MAX_DOCX_PART:
                    raise _Refused(f"{name} is over the {MAX_DOCX_PART // (1024 * 1024)} MiB limit")
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Refused as refused:
        raise DocumentRejected(str(refused)) from None
    except expat.ExpatError as error:
        raise DocumentRejected(f"{name} is not well-formed XML: {error}") from error
    if not root:
        raise DocumentRejected(f"{name} is not well-formed XML: no element")
    return root[0]


# --- Text -------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _check_text(data: bytes) -> None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentRejected(
            f"neither a PDF, a DOCX nor UTF-8 text (not valid UTF-8 at byte {error.start})"
        ) from None
    if (control := _CONTROL.search(text)) is not None:
        what = (
            "a NUL"
            if control.group() == "\x00"
            else f"control character {ord(control.group()):#04x}"
        )
        raise DocumentRejected(
            f"not plain text: {what} at character {control.start()} (a binary file?)"
        )
