"""A content-addressed store of original photo files, kept byte for byte under their SHA-256.

Writes go to a temporary file in the store and are renamed into place after fsync, so a crash
leaves either the whole file or nothing under its name.
"""

import errno
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from foundation.errors import BackendUnavailable
from imaging.formats import sniff_media_type

MAX_PHOTO_BYTES = 50 * 1024 * 1024
_CHUNK = 1024 * 1024


class PhotoRejected(ValueError):
    """The file cannot be accepted as a photo; the message says why."""


class PhotoStoreFull(BackendUnavailable):
    """The store's disk (or the writer's file-size limit or quota) cannot take the file;
    nothing was stored under its name."""


_FULL = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size_bytes: int
    media_type: str


def _digest(path: Path, max_bytes: int) -> tuple[str, int, bytes]:
    sha = hashlib.sha256()
    size = 0
    head = b""
    with path.open("rb") as source:
        while chunk := source.read(_CHUNK):
            if not head:
                head = chunk[:16]
            size += len(chunk)
            if size > max_bytes:
                raise PhotoRejected(f"larger than the {max_bytes // (1024 * 1024)} MiB limit")
            sha.update(chunk)
    return sha.hexdigest(), size, head


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def media_type(self, sha256: str) -> str | None:
        with self.path_for(sha256).open("rb") as blob:
            return sniff_media_type(blob.read(16))

    def put_file(
        self, source: Path, expected_sha256: str | None = None, max_bytes: int = MAX_PHOTO_BYTES
    ) -> StoredBlob:
        """Store a copy of `source`; raise `PhotoRejected` if it is empty, too large, not an
        accepted image format, or does not match `expected_sha256`."""
        try:
            sha256, size, head = _digest(source, max_bytes)
        except OSError as error:
            raise PhotoRejected(f"cannot read file: {error.strerror or error}") from error
        if size == 0:
            raise PhotoRejected("file is empty")
        media_type = sniff_media_type(head)
        if media_type is None:
            raise PhotoRejected("not a JPEG, PNG or WebP image (checked by content)")
        if expected_sha256 is not None and expected_sha256 != sha256:
            raise PhotoRejected(f"sha256 mismatch: given {expected_sha256}, file has {sha256}")
        target = self.path_for(sha256)
        # A stored blob of the wrong size was damaged (or cut short): write it again.
        if not target.exists() or target.stat().st_size != size:
            with source.open("rb") as original:
                self._write_atomically(target, iter(lambda: original.read(_CHUNK), b""), sha256)
        return StoredBlob(sha256, size, media_type)

    def put_bytes(self, data: bytes, sha256: str) -> None:
        """Store content already read and named (by a photo worker, in parallel with the
        others); the importer's `put_file` then finds it in place."""
        target = self.path_for(sha256)
        if not target.exists() or target.stat().st_size != len(data):
            self._write_atomically(target, iter([data]), sha256)

    def put_checked(self, source: Path, sha256: str) -> None:
        """Store a file whose content the caller has already checked and named (a document:
        this store keeps any kind of content under its SHA-256, durably)."""
        target = self.path_for(sha256)
        if target.exists() and target.stat().st_size == source.stat().st_size:
            return
        with source.open("rb") as original:
            self._write_atomically(target, iter(lambda: original.read(_CHUNK), b""), sha256)

    def inspect(self, source: Path, max_bytes: int = MAX_PHOTO_BYTES) -> tuple[str, int]:
        """(sha256, size) of a file, without storing it."""
        try:
            sha256, size, _head = _digest(source, max_bytes)
        except OSError as error:
            raise PhotoRejected(f"cannot read file: {error.strerror or error}") from error
        return sha256, size

    def derivative_path(self, sha256: str, name: str) -> Path:
        return self.root / "derived" / sha256[:2] / sha256 / name

    def put_derivative(self, sha256: str, name: str, content: bytes) -> Path:
        """Store a file derived from blob `sha256` (a thumbnail, a working copy). Derivatives
        are made again from the original whenever one is missing or empty, so they are not
        forced to disk one by one: four fsyncs per photo were most of an import's time."""
        target = self.derivative_path(sha256, name)
        self._write_atomically(target, iter([content]), durable=False)
        return target

    def derivative_ready(self, sha256: str, name: str) -> bool:
        """Whether a derivative is in place (an empty one is what a crash before the data
        reached the disk leaves)."""
        try:
            return self.derivative_path(sha256, name).stat().st_size > 0
        except FileNotFoundError:
            return False

    def _write_atomically(
        self,
        target: Path,
        chunks: Iterator[bytes],
        sha256: str | None = None,
        durable: bool = True,
    ) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            written = hashlib.sha256()
            with os.fdopen(descriptor, "wb") as temp:
                for chunk in chunks:
                    written.update(chunk)
                    temp.write(chunk)
                temp.flush()
                if durable:
                    os.fsync(temp.fileno())
            if sha256 is not None and written.hexdigest() != sha256:
                raise PhotoRejected("file changed while it was being stored")
            os.replace(temp_name, target)
        except OSError as error:
            Path(temp_name).unlink(missing_ok=True)
            if error.errno in _FULL:
                raise PhotoStoreFull(
                    f"the photo store cannot take {target.name}: {error.strerror} (in "
                    f"{self.root}); nothing was stored: free space and try again"
                ) from error
            raise
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        if not durable:
            return
        # The rename is durable only once the folder itself is on disk; the register's
        # commit, which names this blob, comes after.
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
