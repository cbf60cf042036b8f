"""`visor import`: stream a NIF bundle into the register.

Lines are read one at a time and written a batch per transaction, so memory stays flat in
the bundle's size and a killed import loses at most the batch in flight; re-running it is
safe because writes are idempotent by `reference`. Every line or photo that cannot be taken
goes to the reject file with its line number and every reason; the rest goes on.

Rule for a reference repeated within one bundle: the first occurrence is imported and every
later one is rejected, naming the line of the first. (Taking the last would let a stray
duplicate silently replace a record; neither is more likely to be right.)
"""

import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel
from sqlalchemy import Engine, insert, update
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from foundation.errors import InvalidInput, NotFound
from foundation.escapes import json_text
from imaging.analysis import PhotoAnalysis
from imaging.blobstore import BlobStore, StoredBlob
from imaging.pool import PoolLimits, default_workers
from register import tables
from register.audit import AuditEvent, Auditor
from register.changes import change_event
from register.database import translated_errors
from register.model import NominalRecord, Photo
from register.permissions import authorize_import
from register.photo_ingest import PhotoIngester, PhotoOutcome, PhotoRequest
from register.photo_paths import PhotoPathRejected, resolve_photo_path
from register.photos import store_analyses
from register.store import (
    Incoming,
    Outcome,
    Written,
    find_existing,
    get_record,
    now,
    store_blobs,
    write_records,
)
from register.validation import MAX_LINE_BYTES, parse_line

NOMINALS_FILE = "nominals.jsonl"
DEFAULT_PHOTO_LIMITS = PoolLimits(
    workers=default_workers(), memory_bytes=2048 * 1024 * 1024, seconds_per_job=30.0
)
# The register itself is unreachable: stop the import (translated_errors says so). Any other
# error belongs to the one line or record that raised it.
_REGISTER_GONE = (OperationalError, InterfaceError)


class ImportSummary(BaseModel):
    run_id: int
    source: str
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected_lines: int = 0
    rejected_photos: int = 0
    rejects_file: str | None = None

    @property
    def rejected(self) -> bool:
        return bool(self.rejected_lines or self.rejected_photos)


@dataclass
class _PhotoSlot:
    """One photo of a line: refused before any file was read (`reasons`), or waiting for
    the batch's photo work (`request`, a position in the batch's requests)."""

    photo: Photo
    reasons: list[str] = field(default_factory=list)
    request: int | None = None
    file_read: bool = True  # False: refused for what the line says, not for its file


@dataclass
class _Pending:
    line: int
    record: NominalRecord
    blobs: list[StoredBlob] = field(default_factory=list)
    analyses: list[PhotoAnalysis] = field(default_factory=list)
    slots: list[_PhotoSlot] = field(default_factory=list)


class RejectWriter:
    """Writes rejects as JSON Lines, flushed as they come so a killed import keeps them.
    A rejected line is copied in as given, its unsafe characters as JSON escapes: the file
    stays one entry a line for any reader, and safe to show in a terminal."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def write(self, entry: dict[str, Any]) -> None:
        self.out.write(json_text(entry) + "\n")
        self.out.flush()


def read_lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes, int]]:
    """(line number, line, bytes consumed) for each non-blank line; an over-long line is
    yielded truncated to MAX_LINE_BYTES + 1 bytes so that it is rejected, not held whole."""
    number = 0
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        consumed = len(raw)
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while (rest := stream.readline(1024 * 1024)) and not rest.endswith(b"\n"):
                consumed += len(rest)
            consumed += len(rest)
        if raw.strip():
            yield number, raw.rstrip(b"\r\n"), consumed


class BundleImporter:
    def __init__(
        self,
        engine: Engine,
        blob_store: BlobStore,
        rejects: RejectWriter,
        actor: str,
        batch_size: int = 500,
        *,
        auditor: Auditor,
        photo_limits: PoolLimits = DEFAULT_PHOTO_LIMITS,
    ) -> None:
        authorize_import(auditor.principal)
        self.engine = engine
        self.blob_store = blob_store
        self.rejects = rejects
        self.actor = actor
        self.batch_size = batch_size
        self.auditor = auditor
        self.photo_limits = photo_limits

    def run(
        self,
        stream: IO[bytes],
        photo_root: Path | None,
        source: str,
        on_progress: Callable[[int], object] = lambda _bytes: None,
    ) -> ImportSummary:
        """Import every line of `stream`; photos are resolved inside `photo_root`."""
        if photo_root is not None and not photo_root.is_dir():
            raise InvalidInput(f"photo folder not found: {photo_root}")
        root = photo_root.resolve() if photo_root is not None else None
        photos = PhotoIngester(self.blob_store, self.photo_limits)
        try:
            with translated_errors():
                summary = ImportSummary(run_id=self._start_run(source), source=source)
                batch: list[_Pending] = []
                requests: list[PhotoRequest] = []
                for line, raw, consumed in read_lines(stream):
                    summary.lines += 1
                    pending = self._prepare_line(line, raw, root, summary, requests)
                    if pending is not None:
                        batch.append(pending)
                    if len(batch) >= self.batch_size:
                        self._finish_batch(batch, requests, photos, summary)
                        batch, requests = [], []
                    on_progress(consumed)
                if batch:
                    self._finish_batch(batch, requests, photos, summary)
                self._finish_run(summary)
        finally:
            photos.close()
        return summary

    def _finish_batch(
        self,
        batch: list[_Pending],
        requests: list[PhotoRequest],
        photos: PhotoIngester,
        summary: ImportSummary,
    ) -> None:
        outcomes = self._photo_outcomes(batch, requests, photos)
        kept = []
        for pending in batch:
            try:
                self._settle_photos(pending, outcomes, summary)
            except _REGISTER_GONE:
                raise
            except Exception as error:
                self._reject(
                    summary,
                    pending.line,
                    pending.record.reference,
                    [f"could not be imported: {type(error).__name__}: {error}"],
                )
                continue
            kept.append(pending)
        self._write_batch(kept, summary)

    def _photo_outcomes(
        self, batch: list[_Pending], requests: list[PhotoRequest], photos: PhotoIngester
    ) -> list[PhotoOutcome]:
        if not requests:
            return []
        try:
            with self.engine.connect() as connection:
                return photos.ingest(connection, requests)
        except _REGISTER_GONE:
            raise
        except Exception as error:
            # Something no photo check foresaw: refuse the batch's photos with the reason
            # rather than lose its records.
            reason = f"could not be analysed: {type(error).__name__}: {error}"
            return [PhotoOutcome(refused=reason) for _ in requests]

    def _settle_photos(
        self, pending: _Pending, outcomes: list[PhotoOutcome], summary: ImportSummary
    ) -> None:
        """Reject, in the line's order, each photo that was refused; keep the others."""
        record = pending.record
        if not record.photos:
            return
        accepted: list[Photo] = []
        for index, slot in enumerate(pending.slots):
            photo = slot.photo
            reasons = slot.reasons
            if slot.request is not None:
                outcome = outcomes[slot.request]
                if outcome.blob is not None:
                    pending.blobs.append(outcome.blob)
                    if outcome.analysis is not None:
                        pending.analyses.append(outcome.analysis)
                    accepted.append(photo.model_copy(update={"sha256": outcome.blob.sha256}))
                    continue
                reasons = [f"photos[{index}] {photo.file}: {outcome.refused}"]
            # A file that cannot be read this time must not erase the one stored last time;
            # a photo that names no mark is wrong whatever its file holds.
            kept_sha256 = self._stored_content(record.reference, photo) if slot.file_read else None
            if kept_sha256 is not None:
                reasons = [*reasons, "the photo already stored for this file is kept"]
                accepted.append(photo.model_copy(update={"sha256": kept_sha256}))
            self._reject(summary, pending.line, record.reference, reasons, photo=photo.file)
        pending.record = record.model_copy(update={"photos": accepted})

    def _start_run(self, source: str) -> int:
        with self.engine.begin() as connection:
            run_id: int = connection.execute(
                insert(tables.import_runs).returning(tables.import_runs.c.id),
                {"source": source, "actor": self.actor, "started_at": now()},
            ).scalar_one()
        return run_id

    def _finish_run(self, summary: ImportSummary) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(tables.import_runs)
                .where(tables.import_runs.c.id == summary.run_id)
                .values(finished_at=now(), summary=summary.model_dump())
            )
            self.auditor.record(
                connection,
                AuditEvent(
                    "import",
                    target=summary.source,
                    outcome="rejects" if summary.rejected else "ok",
                    details=summary.model_dump(exclude={"rejects_file"}),
                ),
            )

    def _reject(
        self,
        summary: ImportSummary,
        line: int,
        reference: str | None,
        reasons: list[str],
        photo: str | None = None,
        record: str | None = None,
    ) -> None:
        entry: dict[str, Any] = {
            "line": line,
            "reference": reference,
            "rejected": "photo" if photo is not None else "nominal",
            "reasons": reasons,
        }
        if photo is not None:
            entry["photo"] = photo
            summary.rejected_photos += 1
        else:
            summary.rejected_lines += 1
        if record is not None:
            entry["record"] = record
        self.rejects.write(entry)

    def _prepare_line(
        self,
        line: int,
        raw: bytes,
        root: Path | None,
        summary: ImportSummary,
        requests: list[PhotoRequest],
    ) -> _Pending | None:
        """The line ready for its photos and its write, or None when it was rejected, for
        whatever reason: one line can never stop the import nor cost the lines around it."""
        try:
            return self._prepare(line, raw, root, summary, requests)
        except _REGISTER_GONE:
            raise
        except Exception as error:
            self._reject(
                summary,
                line,
                None,
                [f"could not be imported: {type(error).__name__}: {error}"],
                record=raw.decode("utf-8", errors="replace"),
            )
            return None

    def _prepare(
        self,
        line: int,
        raw: bytes,
        root: Path | None,
        summary: ImportSummary,
        requests: list[PhotoRequest],
    ) -> _Pending | None:
        parsed = parse_line(raw)
        if parsed.record is None:
            self._reject(
                summary,
                line,
                parsed.reference,
                parsed.reasons,
                record=raw.decode("utf-8", errors="replace"),
            )
            return None
        record = parsed.record
        pending = _Pending(line, record)
        for index, photo in enumerate(record.photos):
            reason = f"photos[{index}] {photo.file}"
            slot = _PhotoSlot(photo)
            pending.slots.append(slot)
            if photo.mark_index is not None and photo.mark_index >= len(record.marks):
                slot.reasons.append(
                    f"{reason}: mark_index {photo.mark_index} names no mark "
                    f"(the record has {len(record.marks)})"
                )
                slot.file_read = False
                continue
            try:
                if root is None:
                    raise PhotoPathRejected("no photo folder was given for records read from stdin")
                source = resolve_photo_path(root, photo.file)
            except PhotoPathRejected as error:
                slot.reasons.append(f"{reason}: {error}")
                continue
            slot.request = len(requests)
            requests.append(PhotoRequest(source, photo.sha256, find_faces=photo.kind == "face"))
        return pending

    def _stored_content(self, reference: str, photo: Photo) -> str | None:
        """The sha256 already stored for this nominal under this file name, if any and if the
        line does not say the content is different: a photo that cannot be read this time
        must not erase the one stored last time. The line's other photo fields apply."""
        with self.engine.connect() as connection:
            try:
                stored = get_record(connection, reference)
            except NotFound:
                return None
        for previous in stored.photos:
            if previous.file == photo.file and photo.sha256 in (None, previous.sha256):
                return previous.sha256
        return None

    def _drop_duplicates(self, batch: list[_Pending], summary: ImportSummary) -> list[_Pending]:
        with self.engine.connect() as connection:
            existing = find_existing(connection, {p.record.reference for p in batch})
        first_seen: dict[str, int] = {
            reference: found.last_import_line
            for reference, found in existing.items()
            if found.last_import_run_id == summary.run_id and found.last_import_line is not None
        }
        kept = []
        for pending in batch:
            reference = pending.record.reference
            if reference in first_seen:
                self._reject(
                    summary,
                    pending.line,
                    reference,
                    [
                        f"duplicate reference: already imported from line {first_seen[reference]} "
                        "of this bundle (the first occurrence wins)"
                    ],
                )
                continue
            first_seen[reference] = pending.line
            kept.append(pending)
        return kept

    def _write_batch(self, batch: list[_Pending], summary: ImportSummary) -> None:
        batch = self._drop_duplicates(batch, summary)
        try:
            outcomes = self._write(batch, summary.run_id)
        except _REGISTER_GONE:
            raise  # stop (translated_errors says so), don't reject
        except Exception:
            # One bad record must not sink its batch: write one at a time, reject the culprit.
            outcomes = []
            for pending in batch:
                try:
                    outcomes += self._write([pending], summary.run_id)
                except _REGISTER_GONE:
                    raise
                except Exception as error:
                    reason = error.orig if isinstance(error, DBAPIError) else repr(error)
                    self._reject(
                        summary,
                        pending.line,
                        pending.record.reference,
                        [f"the register refused the record: {reason}"],
                    )
        for written in outcomes:
            if written.outcome is Outcome.CREATED:
                summary.created += 1
            elif written.outcome is Outcome.UPDATED:
                summary.updated += 1
            else:
                summary.unchanged += 1

    def _write(self, batch: list[_Pending], run_id: int) -> list[Written]:
        with self.engine.begin() as connection:
            store_blobs(connection, (blob for p in batch for blob in p.blobs))
            store_analyses(connection, (a for p in batch for a in p.analyses))
            written = write_records(
                connection,
                [Incoming(p.record, p.line) for p in batch],
                actor=self.actor,
                import_run_id=run_id,
            )
            # In the same transaction, last: the chain is locked only until the commit.
            self.auditor.record(
                connection,
                *(
                    change_event(w, import_run=run_id, line=p.line)
                    for w, p in zip(written, batch, strict=True)
                    if w.outcome is not Outcome.UNCHANGED
                ),
            )
            return written


def open_bundle(bundle: Path) -> Path:
    """The nominals file of a bundle folder, or a clear error."""
    if not bundle.exists():
        raise InvalidInput(f"bundle not found: {bundle}")
    if not bundle.is_dir():
        raise InvalidInput(f"a bundle is a folder holding {NOMINALS_FILE}: {bundle}")
    nominals = bundle / NOMINALS_FILE
    try:
        mode = nominals.lstat().st_mode
    except FileNotFoundError:
        raise InvalidInput(f"no {NOMINALS_FILE} in bundle {bundle}") from None
    except OSError as error:
        raise InvalidInput(f"cannot read {nominals}: {error.strerror}") from error
    if stat.S_ISLNK(mode):
        # Followed, a link would make visor read any file it can (every line of /etc/passwd
        # would be copied into the reject file); a bundle's own file is in the bundle.
        raise InvalidInput(f"{nominals} is a symbolic link: refused; copy the file in")
    if not stat.S_ISREG(mode):
        raise InvalidInput(f"{nominals} is not a regular file")
    return nominals


def open_nominals(nominals: Path) -> IO[bytes]:
    """Open a file `open_bundle` returned, still refusing a link put there since."""
    try:
        descriptor = os.open(nominals, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as error:
        raise InvalidInput(f"cannot read {nominals}: {error.strerror}") from error
    return os.fdopen(descriptor, "rb")
