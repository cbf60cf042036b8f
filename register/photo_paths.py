"""Resolve a photo's `file` against the bundle folder, refusing anything that leaves it."""

from pathlib import Path, PurePosixPath


class PhotoPathRejected(ValueError):
    """The photo path is unsafe or names no readable file; the message says why."""


def resolve_photo_path(photo_root: Path, file: str) -> Path:
    """The real path of `file` inside `photo_root` (which must already be resolved)."""
    if "\\" in file:
        raise PhotoPathRejected("path uses '\\'; NIF paths are relative and use '/'")
    relative = PurePosixPath(file)
    if relative.is_absolute():
        raise PhotoPathRejected("absolute path; photo paths must be relative to the bundle")
    if ".." in relative.parts:
        raise PhotoPathRejected("path leaves the bundle folder ('..')")
    try:
        real = (photo_root / relative).resolve(strict=True)
    except FileNotFoundError as error:
        raise PhotoPathRejected("file not found in the bundle") from error
    except (OSError, RuntimeError) as error:
        raise PhotoPathRejected(f"cannot resolve path: {error}") from error
    if not real.is_relative_to(photo_root):
        raise PhotoPathRejected("path leaves the bundle folder (through a symbolic link)")
    if not real.is_file():
        raise PhotoPathRejected("not a regular file")
    return real
