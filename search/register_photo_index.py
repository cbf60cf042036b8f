"""The embedded photo index kept current with the register through its outbox.

Each photo search used to build its index from every photo hash in the register, which at a
library of a million photos costs seconds per search. The index is now built once (for live
nominals, and apart from it with the archived ones, each on first need) together with the
outbox cursor its snapshot includes, and built again only when the outbox holds events past
that cursor: photos are added and nominals archived far less often than photos are searched
for. The gap rule is the descriptive index's (register/indexing.py): an id below a later one
may still be in a transaction that has not committed, and is waited for.

Searches from several threads share one index; one rebuild at a time, and the index and its
cursor are replaced together.
"""

import threading
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from register.database import snapshot
from register.indexing import OutboxCursor, outbox_moved, snapshot_cursor
from register.photos import iter_photo_hashes
from search.photo_index import PhotoHashIndex
from search.photo_search import build_photo_index

# More events than this past the cursor and the index is built again without reading them all.
EVENTS_LOOKED_AT = 1_000


@dataclass(frozen=True)
class _Built:
    index: PhotoHashIndex
    cursor: OutboxCursor


class RegisterPhotoIndex:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._built: dict[bool, _Built] = {}

    def index(self, include_archived: bool) -> PhotoHashIndex:
        """The photo index of what the register holds now (archived nominals' photos too if
        asked), built again only if something changed since it was last built."""
        built = self._built.get(include_archived)
        if built is not None and not self._moved(built):
            return built.index
        with self._lock:
            built = self._built.get(include_archived)
            if built is None or self._moved(built):
                with snapshot(self.engine) as connection:
                    built = _build(connection, include_archived)
                self._built[include_archived] = built
            return built.index

    def _moved(self, built: _Built) -> bool:
        with self.engine.connect() as connection:
            return outbox_moved(connection, built.cursor, EVENTS_LOOKED_AT)


def _build(connection: Connection, include_archived: bool) -> _Built:
    cursor = snapshot_cursor(connection)
    return _Built(build_photo_index(iter_photo_hashes(connection), include_archived), cursor)
