import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from imaging.analysis import THUMBNAIL, THUMBNAIL_SIDE, WORKING_COPY, ingest_photo
from imaging.blobstore import BlobStore, PhotoRejected
from tests.imaging.photo_corpus import load, real_photos

PAYLOAD = b"PAYLOAD-after-the-image" * 40


def photo_with_gps_and_payload() -> bytes:
    image = load(real_photos()["skimage/astronaut.png"])
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue() + PAYLOAD


def test_original_kept_exactly_derivatives_clean(tmp_path: Path) -> None:
    original = photo_with_gps_and_payload()
    source = tmp_path / "in.jpg"
    source.write_bytes(original)
    store = BlobStore(tmp_path / "store")
    blob, analysis = ingest_photo(store, source, None, True, lambda _sha, _faces: True)
    assert store.path_for(blob.sha256).read_bytes() == original
    assert blob.sha256 == hashlib.sha256(original).hexdigest()
    assert analysis is not None and (analysis.width, analysis.height) == (512, 512)
    assert analysis.quality.faces is not None and analysis.quality.faces.count == 1
    for name in (WORKING_COPY, THUMBNAIL):
        derived = store.derivative_path(blob.sha256, name).read_bytes()
        assert PAYLOAD[:20] not in derived and b"PhoneMaker" not in derived
        with Image.open(io.BytesIO(derived)) as image:
            assert len(image.getexif()) == 0
            if name == THUMBNAIL:
                assert max(image.size) == THUMBNAIL_SIDE


def test_a_refused_photo_leaves_nothing_in_the_store(tmp_path: Path) -> None:
    source = tmp_path / "cut.jpg"
    source.write_bytes(photo_with_gps_and_payload()[:5000])
    store = BlobStore(tmp_path / "store")
    with pytest.raises(PhotoRejected, match="corrupt or truncated"):
        ingest_photo(store, source, None, False, lambda _sha, _faces: True)
    assert not (tmp_path / "store").exists() or not any((tmp_path / "store").rglob("*.*"))


def test_content_already_analysed_is_not_decoded_again(tmp_path: Path) -> None:
    source = tmp_path / "in.jpg"
    source.write_bytes(photo_with_gps_and_payload())
    store = BlobStore(tmp_path / "store")
    ingest_photo(store, source, None, False, lambda _sha, _faces: True)
    _blob, analysis = ingest_photo(store, source, None, False, lambda _sha, _faces: False)
    assert analysis is None
