import hashlib
from pathlib import Path

import pytest

from imaging.blobstore import BlobStore, PhotoRejected
from imaging.formats import sniff_media_type
from tests.conftest import image_bytes


@pytest.mark.parametrize(
    ("head", "media_type"),
    [
        (image_bytes(format="JPEG")[:16], "image/jpeg"),
        (image_bytes(format="PNG")[:16], "image/png"),
        (image_bytes(format="WEBP")[:16], "image/webp"),
        (image_bytes(format="GIF")[:16], None),
        (b"%!PS-Adobe-3.0 EPSF-3.0", None),
        (b"<html><body>", None),
        (b"", None),
    ],
)
def test_formats_are_recognised_by_content(head: bytes, media_type: str | None) -> None:
    assert sniff_media_type(head) == media_type


def test_a_photo_is_kept_byte_for_byte_under_its_sha256(tmp_path: Path) -> None:
    content = image_bytes() + b"trailing bytes stay in the original"
    source = tmp_path / "in.jpg"
    source.write_bytes(content)
    store = BlobStore(tmp_path / "store")
    blob = store.put_file(source)
    assert blob.sha256 == hashlib.sha256(content).hexdigest()
    assert (blob.size_bytes, blob.media_type) == (len(content), "image/jpeg")
    assert store.path_for(blob.sha256).read_bytes() == content
    assert store.put_file(source, expected_sha256=blob.sha256) == blob


@pytest.mark.parametrize(
    ("content", "expected", "reason"),
    [
        (b"", None, "file is empty"),
        (b"GIF89a...", None, "not a JPEG, PNG or WebP"),
        (image_bytes(), "f" * 64, "sha256 mismatch"),
        (b"\xff\xd8\xff" + b"0" * 2048, None, "larger than the 0 MiB limit"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(
    tmp_path: Path, content: bytes, expected: str | None, reason: str
) -> None:
    source = tmp_path / "in.jpg"
    source.write_bytes(content)
    store = BlobStore(tmp_path / "store")
    max_bytes = 1024 if len(content) > 2000 else 50 * 1024 * 1024
    with pytest.raises(PhotoRejected, match=reason):
        store.put_file(source, expected, max_bytes=max_bytes)
    assert not (tmp_path / "store").exists() or not any((tmp_path / "store").rglob("*"))
