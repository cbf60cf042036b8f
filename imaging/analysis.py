"""Everything the register keeps about a photo's content: dimensions, perceptual hashes,
quality metrics; and the derivatives (working copy, thumbnail) re-encoded from pixels, so
that EXIF, XMP, GPS and any appended payload of the original are gone from them."""

import io
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from pydantic import BaseModel

from imaging.blobstore import BlobStore, PhotoRejected, StoredBlob
from imaging.decode import DecodedPhoto, decode_photo
from imaging.hashes import PerceptualHashes, compute_hashes
from imaging.quality import QualityMetrics, measure_quality

# Bumped when hashes or metrics change meaning, so that stored analyses can be redone.
ANALYSIS_VERSION = 1
THUMBNAIL_SIDE = 256
WORKING_COPY = "working.jpg"
THUMBNAIL = "thumbnail.jpg"


class PhotoAnalysis(BaseModel):
    sha256: str
    media_type: str
    width: int
    height: int
    phash: int
    dhash: int
    phash_mirror: int
    dhash_mirror: int
    quality: QualityMetrics
    analysis_version: int = ANALYSIS_VERSION

    @property
    def hashes(self) -> PerceptualHashes:
        return PerceptualHashes(self.phash, self.dhash, self.phash_mirror, self.dhash_mirror)


def analyse(decoded: DecodedPhoto, sha256: str, find_faces: bool) -> PhotoAnalysis:
    hashes = compute_hashes(decoded.image)
    return PhotoAnalysis(
        sha256=sha256,
        media_type=decoded.media_type,
        width=decoded.width,
        height=decoded.height,
        phash=hashes.phash,
        dhash=hashes.dhash,
        phash_mirror=hashes.phash_mirror,
        dhash_mirror=hashes.dhash_mirror,
        quality=measure_quality(decoded.image, is_face_photo=find_faces),
    )


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)  # no exif= argument: no metadata out
    return out.getvalue()


def derivatives(decoded: DecodedPhoto) -> dict[str, bytes]:
    thumbnail = decoded.image.copy()
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    return {WORKING_COPY: _jpeg(decoded.image, 90), THUMBNAIL: _jpeg(thumbnail, 85)}


def ingest_photo(
    store: BlobStore,
    source: Path,
    expected_sha256: str | None,
    find_faces: bool,
    needs_analysis: Callable[[str, bool], bool],
) -> tuple[StoredBlob, PhotoAnalysis | None]:
    """Check, decode and analyse a photo file, then keep the original and its derivatives.

    Nothing is stored when the file is refused (`PhotoRejected`). `needs_analysis(sha256,
    with_faces)` says whether the register lacks an analysis of this content (with faces,
    if asked); when it has one, the file is checked and stored but not decoded again."""
    sha256, _size = store.inspect(source)
    if expected_sha256 is not None and expected_sha256 != sha256:
        raise PhotoRejected(f"sha256 mismatch: given {expected_sha256}, file has {sha256}")
    missing = not all(
        store.derivative_path(sha256, name).exists() for name in (WORKING_COPY, THUMBNAIL)
    )
    if not (needs_analysis(sha256, find_faces) or missing or not store.path_for(sha256).exists()):
        return store.put_file(source, sha256), None
    try:
        decoded = decode_photo(source)
        analysis = analyse(decoded, sha256, find_faces)
        made = derivatives(decoded)
    except PhotoRejected:
        raise
    except Exception as error:
        # A file that breaks a decoder or a metric in a way nobody foresaw is that photo's
        # problem, not the import's: refuse it, saying what went wrong.
        raise PhotoRejected(f"could not be analysed: {error!r}") from error
    blob = store.put_file(source, sha256)
    for name, content in made.items():
        store.put_derivative(sha256, name, content)
    return blob, analysis
