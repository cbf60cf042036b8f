"""Documents made here, byte by byte, for the document checks' tests: a small valid PDF (with
a correct cross-reference table), a DOCX as Word writes its skeleton, and hostile variants of
each (active content, macros, zip bombs, DTDs, executables under a document's name)."""

import io
import zipfile
import zlib

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="{main}"/>'
    "</Types>"
)
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
)


def _part(name: str) -> zipfile.ZipInfo:
    """A part with a fixed time, so that the same DOCX is the same bytes."""
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def docx(
    text: str = "Risk of serious harm: high",
    main: str = WORD_MAIN,
    extra: dict[str, bytes] | None = None,
    document: str | None = None,
) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_part("[Content_Types].xml"), CONTENT_TYPES.format(main=main))
        archive.writestr(_part("_rels/.rels"), RELS)
        archive.writestr(_part("word/document.xml"), document or DOCUMENT.format(text=text))
        for name, content in (extra or {}).items():
            archive.writestr(_part(name), content)
    return out.getvalue()


def zip_bomb_docx(expanded_mib: int = 210) -> bytes:
    """A DOCX whose one extra part inflates to `expanded_mib` MiB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(main=WORD_MAIN))
        archive.writestr("word/document.xml", DOCUMENT.format(text="x"))
        with archive.open("word/media/padding.xml", "w") as part:
            zeros = b"\0" * (1024 * 1024)
            for _ in range(expanded_mib):
                part.write(zeros)
    return out.getvalue()


def many_parts_docx(parts: int = 2500) -> bytes:
    extra = {f"customXml/item{i}.xml": b"<a/>" for i in range(parts)}
    return docx(extra=extra)


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>&c;</w:t></w:r></w:p></w:body></w:document>"
)


def pdf(*objects: bytes, compressed: bytes | None = None) -> bytes:
    """A PDF of a catalog, a page tree, one page and `objects` (each an object's body, e.g.
    b"<< /S /JavaScript /JS (app.alert(1)) >>"); `compressed` goes into a Flate stream."""
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        *objects,
    ]
    if compressed is not None:
        data = zlib.compress(compressed)
        bodies.append(
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
        )
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1,
        xref,
    )
    return bytes(out)


WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"PE\x00\x00" + b"\x00" * 400
LINUX_ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 200
OLE_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500
