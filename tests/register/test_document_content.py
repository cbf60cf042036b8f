"""Document checks by content: what is accepted as a PDF, a DOCX or text, and every hostile
file refused with its reason (whatever name it came under)."""

import tracemalloc
import zlib
from pathlib import Path

import pytest

from register.document_content import DocumentRejected, check_document
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
from tests.reliability.hostile_files import docx_parts, zip_of

DOCUMENT_OPEN = (
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
)


def _check(tmp_path: Path, content: bytes, name: str = "upload.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return check_document(path).format


def test_real_documents_are_accepted_by_content_whatever_their_name(tmp_path: Path) -> None:
    assert _check(tmp_path, pdf(), "minutes.txt") == "pdf"
    assert _check(tmp_path, docx(), "plan.pdf") == "docx"
    assert _check(tmp_path, "Visit 3 May: all well. Café €5\n".encode(), "x.docx") == "text"
    assert _check(tmp_path, b"\xef\xbb\xbfwith a byte-order mark\r\n\tand a tab") == "text"
    # A compressed stream of ordinary page content is read and passes.
    assert _check(tmp_path, pdf(compressed=b"BT /F1 12 Tf (Risk) Tj ET")) == "pdf"


HOSTILE = [
    (WINDOWS_EXE, "a Windows executable (PE), not a document"),
    (LINUX_ELF, "a Linux executable (ELF)"),
    (b"#!/bin/sh\nrm -rf /\n", "a script (#!)"),
    (OLE_DOC, "a legacy Office file (OLE"),
    (b"", "the document is empty"),
    (b"plain text with a \x00 NUL", "not plain text: a NUL at character 18"),
    (b"text with an escape \x1b[2J", "control character 0x1b"),
    ("caf\xe9".encode("latin-1"), "not valid UTF-8 at byte 3"),
    (pdf()[:-40], "does not end with startxref and %%EOF"),
    (b"%PDF-9.9\n" + pdf()[9:], "names no PDF version"),
    (pdf().replace(b"startxref\n", b"startxref\n9"), "startxref points past the end"),
    (pdf(b"<< /S /JavaScript /JS (app.alert(1)) >>"), "active content (JavaScript"),
    (pdf(b"<< /OpenAction << /S /J#61vaScript >> >>"), "/JavaScript"),
    (pdf(b"<< /S /Launch /F (cmd.exe) >>"), "an action that launches a program"),
    (pdf(b"<< /Type /EmbeddedFile >>"), "an embedded file"),
    (pdf(compressed=b"<< /S /JavaScript /JS (hidden in a stream) >>"), "JavaScript"),
    (docx(extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}), "macros (word/vbaProject.bin)"),
    (docx(main=MACRO_MAIN), "macro-enabled Word document"),
    (docx(extra={"word/activeX/activeX1.xml": b"<a/>"}), "ActiveX controls"),
    (docx(extra={"word/embeddings/oleObject1.bin": b"MZ"}), "an embedded object"),
    (docx(document=BILLION_LAUGHS), "declares a DTD or entities"),
    (docx(document="<w:document>unclosed"), "not well-formed XML"),
    (docx(document="<html/>"), "holds no w:document"),
    (b"PK\x03\x04" + b"\x00" * 100, "not a readable DOCX (ZIP) file"),
    (zip_bomb_docx(), "over the 200 MiB limit (a zip bomb)"),
    (many_parts_docx(), "parts, over the 2000 limit"),
    # A bomb within the sizes: 2 MiB of zeros from a few kilobytes.
    (docx(extra={"word/media/pad.png": bytes(2 * 1024 * 1024)}), "over 100 to one (a zip bomb)"),
    (docx(extra={"word/media/inner.png": docx()}), "word/media/inner.png is a ZIP archive"),
    (docx(extra={"word/media/a.png": WINDOWS_EXE}), "is a Windows executable (PE)"),
    (docx(extra={"word/embeddings/sheet.xlsx": docx()}), "an embedded object"),
    (b"A note\n" + pdf(), "a polyglot: a PDF header at byte 7"),
]


@pytest.mark.parametrize(("content", "reason"), HOSTILE, ids=[r for _c, r in HOSTILE])
def test_hostile_files_are_refused_with_their_reason(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    with pytest.raises(DocumentRejected) as refused:
        _check(tmp_path, content)
    assert reason in str(refused.value)


def test_a_docx_without_its_word_part_is_not_a_document(tmp_path: Path) -> None:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(DocumentRejected, match=r"a DOCX has word/document\.xml"):
        _check(tmp_path, out.getvalue())


def test_an_oversize_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as out:
        out.truncate(20 * 1024 * 1024 + 1)  # sparse: nothing is written
    with pytest.raises(DocumentRejected, match="larger than the 20 MiB limit"):
        check_document(path)


def test_a_stream_that_inflates_far_is_read_a_piece_at_a_time(tmp_path: Path) -> None:
    """150 MiB of zeros in one Flate stream (under the 200 MiB budget, so accepted): the
    checker holds a few MiB of it at a time, never the whole."""
    inflater = zlib.compressobj(9)
    zeros = bytes(1024 * 1024)
    data = b"".join(inflater.compress(zeros) for _ in range(150)) + inflater.flush()
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data
    path = tmp_path / "wide.pdf"
    path.write_bytes(pdf(stream + b"\nendstream"))
    tracemalloc.start()
    try:
        assert check_document(path).format == "pdf"
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 32 * 1024 * 1024, peak


def test_a_wide_document_xml_is_read_as_a_stream(tmp_path: Path) -> None:
    """8 MiB of empty paragraphs in word/document.xml, compressed little enough to pass the
    ratio check (stored): parsed without building a tree."""
    body = b"<w:p/>" * (8 * 1024 * 1024 // 6)
    document = DOCUMENT_OPEN + body + b"</w:body></w:document>"
    path = tmp_path / "wide.docx"
    path.write_bytes(zip_of(docx_parts(document), stored=True))
    tracemalloc.start()
    try:
        assert check_document(path).format == "docx"
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024, peak
