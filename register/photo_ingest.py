"""The photos of one import batch: read and name each file by SHA-256 here, ask the register
once which contents still need an analysis, decode and analyse those in the photo worker
pool (imaging.pool: a hostile file costs one worker, never the import), then keep each
accepted original in the blob store. Outcomes come back in request order.

A content already analysed at today's analysis version, with its derivatives on disk, is
not decoded again: re-importing a bundle costs a read and a hash per photo.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, select

from imaging.analysis import (
    ANALYSIS_VERSION,
    THUMBNAIL,
    WORKING_COPY,
    PhotoAnalysis,
    PhotoJob,
    PhotoRefused,
    analyse_file,
    prepare_worker,
)
from imaging.blobstore import BlobStore, PhotoRejected, StoredBlob
from imaging.pool import PoolLimits, WorkerPool, WorkFailed
from register import tables

# Imported once by the fork server, so that each photo worker starts with them loaded.
PHOTO_WORKER_PRELOAD = (
    "imaging.analysis",
    "imaging.face_detectors",
    "cv2",
    "imaging.worker_preload",
)


@dataclass(frozen=True)
class PhotoRequest:
    source: Path
    expected_sha256: str | None
    find_faces: bool


@dataclass(frozen=True)
class PhotoOutcome:
    blob: StoredBlob | None = None
    analysis: PhotoAnalysis | None = None  # None when the register already has one
    refused: str | None = None  # why the photo was not accepted


def analysed_contents(connection: Connection, contents: Iterable[str]) -> dict[str, bool]:
    """sha256 -> whether faces were looked for, for contents analysed at today's version."""
    a = tables.photo_analyses
    wanted = sorted(set(contents))
    found: dict[str, bool] = {}
    for start in range(0, len(wanted), 500):  # stay within every database's bound-parameter cap
        rows = connection.execute(
            select(a.c.sha256, a.c.face_count).where(
                a.c.sha256.in_(wanted[start : start + 500]),
                a.c.analysis_version == ANALYSIS_VERSION,
                # Measured before the audit's metrics existed: measure again.
                a.c.highlight_level.is_not(None),
            )
        )
        found.update((row.sha256, row.face_count is not None) for row in rows)
    return found


class PhotoIngester:
    """Owns the worker pool for the length of an import (`close()` stops it)."""

    def __init__(self, store: BlobStore, limits: PoolLimits) -> None:
        self.store = store
        self.pool: WorkerPool[PhotoJob, PhotoAnalysis | PhotoRefused] = WorkerPool(
            analyse_file, limits, prepare_worker, preload=PHOTO_WORKER_PRELOAD
        )

    def close(self) -> None:
        self.pool.close()

    def ingest(
        self, connection: Connection, requests: Sequence[PhotoRequest]
    ) -> list[PhotoOutcome]:
        named: list[tuple[str, int] | str] = []  # (sha256, size), or why the file is refused
        for request in requests:
            try:
                sha256, size = self.store.inspect(request.source)
            except PhotoRejected as error:
                named.append(str(error))
                continue
            if request.expected_sha256 not in (None, sha256):
                named.append(f"sha256 mismatch: given {request.expected_sha256}, file has {sha256}")
            else:
                named.append((sha256, size))
        done = analysed_contents(connection, (n[0] for n in named if isinstance(n, tuple)))
        jobs: dict[str, PhotoJob] = {}
        for request, name in zip(requests, named, strict=True):
            if isinstance(name, str):
                continue
            sha256 = name[0]
            with_faces = request.find_faces or (sha256 in jobs and jobs[sha256].find_faces)
            if self._needs_work(sha256, with_faces, done):
                jobs[sha256] = PhotoJob(request.source, sha256, with_faces, self.store.root)
        results = dict(zip(jobs, self.pool.map(jobs.values()), strict=True))
        outcomes = []
        for request, name in zip(requests, named, strict=True):
            if isinstance(name, str):
                outcomes.append(PhotoOutcome(refused=name))
                continue
            sha256 = name[0]
            result = results.get(sha256)
            if isinstance(result, PhotoRefused | WorkFailed):
                outcomes.append(PhotoOutcome(refused=result.reason))
                continue
            try:
                blob = self.store.put_file(request.source, sha256)
            except PhotoRejected as error:
                outcomes.append(PhotoOutcome(refused=str(error)))
                continue
            outcomes.append(PhotoOutcome(blob=blob, analysis=result))
        return outcomes

    def _needs_work(self, sha256: str, with_faces: bool, done: dict[str, bool]) -> bool:
        if sha256 not in done or (with_faces and not done[sha256]):
            return True
        # An analysis without its derivatives or its original on disk (a store restored
        # from an older backup) is redone, so that what the register names exists.
        if not self.store.path_for(sha256).exists():
            return True
        return not all(
            self.store.derivative_ready(sha256, name) for name in (WORKING_COPY, THUMBNAIL)
        )
