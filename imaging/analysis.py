"""Everything the register keeps about a photo's content: dimensions, perceptual hashes,
quality metrics; and the derivatives (working copy, thumbnail) re-encoded from pixels, so
that EXIF, XMP, GPS and any appended payload of the original are gone from them."""

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from pydantic import BaseModel

from imaging.blobstore import BlobStore, PhotoRejected
from imaging.decode import DecodedPhoto, decode_bytes, read_photo_file
from imaging.face_detectors import default_detector
from imaging.hashes import PerceptualHashes, compute_hashes
from imaging.quality import QualityMetrics, measure_quality
from imaging.quality import warm_up as warm_up_quality
from imaging.resample import thumbnail, warm_up

# Bumped when hashes or metrics change meaning, so that stored analyses can be redone.
# 3: face finding scans small windows only when large ones are not conclusive
# (imaging/faces.py); hashes and the other metrics are version 2's, byte for byte.
ANALYSIS_VERSION = 3
# The oldest version whose hashes are today's: photo search compares their codes with a
# query's, so that bumping the version for faces alone does not empty it until re-import.
HASHES_SINCE_VERSION = 2
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
    # One grey copy for the hashes, the metrics and face finding.
    grey = np.asarray(decoded.image.convert("L"))
    hashes = compute_hashes(decoded.image, grey)
    return PhotoAnalysis(
        sha256=sha256,
        media_type=decoded.media_type,
        width=decoded.width,
        height=decoded.height,
        phash=hashes.phash,
        dhash=hashes.dhash,
        phash_mirror=hashes.phash_mirror,
        dhash_mirror=hashes.dhash_mirror,
        quality=measure_quality(decoded.image, is_face_photo=find_faces, grey=grey),
    )


def _jpeg(image: Image.Image, quality: int) -> bytes:
    # No exif= argument, and no info: Pillow's JPEG writer carries the decoded file's own
    # comment (image.info["comment"]) into whatever it writes, unless told otherwise.
    bare = image
    if image.info:
        bare = image.copy()
        bare.info = {}
    out = io.BytesIO()
    bare.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def derivatives(decoded: DecodedPhoto) -> dict[str, bytes]:
    small = thumbnail(decoded.image, THUMBNAIL_SIDE)  # Pillow's thumbnail, the same pixels
    return {WORKING_COPY: _jpeg(decoded.image, 90), THUMBNAIL: _jpeg(small, 85)}


@dataclass(frozen=True)
class PhotoJob:
    """One photo file to decode and analyse, whose content the importer has already read
    and named by SHA-256; the original and its derivatives are written into the store at
    `store_root` when the photo is accepted."""

    source: Path
    sha256: str
    find_faces: bool
    store_root: Path


@dataclass(frozen=True)
class PhotoRefused:
    reason: str


def prepare_worker() -> None:
    """Load what every photo's analysis uses (the face detector's library and model) once
    per worker, before its memory limit applies; and the FFT library pHash uses, which is
    imported when first needed (not at CLI start-up), so that no photo pays for it."""
    import scipy.fft  # noqa: F401

    warm_up()
    warm_up_quality()
    default_detector()


def analyse_file(job: PhotoJob) -> PhotoAnalysis | PhotoRefused:
    """Decode and analyse one untrusted file and store its derivatives: the work a photo
    worker does (imaging.pool). A file refused, or one that breaks a decoder or a metric in
    a way nobody foresaw, is that photo's problem: `PhotoRefused` says why."""
    try:
        data = read_photo_file(job.source)
        if hashlib.sha256(data).hexdigest() != job.sha256:
            return PhotoRefused("the file changed while it was being imported")
        decoded = decode_bytes(data)
        analysis = analyse(decoded, job.sha256, job.find_faces)
        made = derivatives(decoded)
    except PhotoRejected as error:
        return PhotoRefused(str(error))
    except MemoryError:
        raise  # the pool reports it, naming the worker's memory limit
    except Exception as error:
        return PhotoRefused(f"could not be analysed: {error!r}")
    store = BlobStore(job.store_root)
    store.put_bytes(data, job.sha256)
    for name, content in made.items():
        store.put_derivative(job.sha256, name, content)
    return analysis
