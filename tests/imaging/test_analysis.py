import hashlib
import io
from pathlib import Path

from PIL import Image

from imaging.analysis import (
    THUMBNAIL,
    THUMBNAIL_SIDE,
    WORKING_COPY,
    PhotoAnalysis,
    PhotoJob,
    PhotoRefused,
    analyse_file,
)
from imaging.blobstore import BlobStore
from tests.imaging.photo_corpus import load, real_photos

PAYLOAD = b"PAYLOAD-after-the-image" * 40
COMMENT = b"Informant: flat 3, do not disclose"


def photo_with_gps_and_payload() -> bytes:
    image = load(real_photos()["skimage/astronaut.png"])
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    # A comment segment too: Pillow's writer would carry it into every JPEG made from it.
    image.save(out, format="JPEG", exif=exif.tobytes(), comment=COMMENT, quality=90)
    return out.getvalue() + PAYLOAD


def job_for(source: Path, store: BlobStore, find_faces: bool) -> PhotoJob:
    sha256 = hashlib.sha256(source.read_bytes()).hexdigest()
    return PhotoJob(source, sha256, find_faces, store.root)


def test_original_kept_exactly_derivatives_clean(tmp_path: Path) -> None:
    original = photo_with_gps_and_payload()
    source = tmp_path / "in.jpg"
    source.write_bytes(original)
    store = BlobStore(tmp_path / "store")
    analysis = analyse_file(job_for(source, store, find_faces=True))
    blob = store.put_file(source)
    assert store.path_for(blob.sha256).read_bytes() == original
    assert blob.sha256 == hashlib.sha256(original).hexdigest()
    assert isinstance(analysis, PhotoAnalysis) and (analysis.width, analysis.height) == (512, 512)
    assert analysis.quality.faces is not None and analysis.quality.faces.count == 1
    for name in (WORKING_COPY, THUMBNAIL):
        derived = store.derivative_path(blob.sha256, name).read_bytes()
        assert PAYLOAD[:20] not in derived and b"PhoneMaker" not in derived
        assert COMMENT not in derived
        with Image.open(io.BytesIO(derived)) as image:
            assert len(image.getexif()) == 0
            assert "comment" not in image.info
            if name == THUMBNAIL:
                assert max(image.size) == THUMBNAIL_SIDE


def test_a_refused_photo_leaves_nothing_in_the_store(tmp_path: Path) -> None:
    source = tmp_path / "cut.jpg"
    source.write_bytes(photo_with_gps_and_payload()[:5000])
    store = BlobStore(tmp_path / "store")
    refused = analyse_file(job_for(source, store, find_faces=False))
    assert isinstance(refused, PhotoRefused) and "corrupt or truncated" in refused.reason
    assert not (tmp_path / "store").exists() or not any((tmp_path / "store").rglob("*.*"))


def test_a_file_changed_after_it_was_named_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "in.jpg"
    source.write_bytes(photo_with_gps_and_payload())
    store = BlobStore(tmp_path / "store")
    job = job_for(source, store, find_faces=False)
    source.write_bytes(photo_with_gps_and_payload()[:-10])
    refused = analyse_file(job)
    assert isinstance(refused, PhotoRefused) and "changed" in refused.reason
