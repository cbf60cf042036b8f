"""The embedded backend kept current with the register through its outbox.

The backend is built from one snapshot of the register together with the outbox cursor that
snapshot includes (register/indexing.py: the position every id up to which is applied, and
the ids past a gap applied already). `refresh()` reads the outbox events past the cursor; if
there are new ones it re-reads just their nominals, in one snapshot with the events, and
puts them into the backend in place of their old rows (`VectorBackend.changed`). The gap
rule is the OpenSearch sync's: an id below a later one may still be in a transaction that
has not committed, so the cursor waits below it, and the change is applied when it commits.
Past `INCREMENTAL_EVENTS` events waiting, or a register whose outbox is behind the cursor (a
restored backup), it builds afresh from a snapshot instead.

A server searches from several threads at once: one refresh at a time, the others waiting
for it rather than each applying the same change, and the backend and its cursor are
replaced together as one object, so a search sees one whole backend or the next.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from register.database import snapshot
from register.indexing import (
    OutboxCursor,
    load_current_records,
    outbox_moved,
    outbox_position,
    read_outbox,
    snapshot_cursor,
)
from register.store import iter_records
from search.document import search_document
from search.scoring import PreparedQuery, Score
from search.statistics import RegisterStatistics
from search.vector_backend import VectorBackend

# More events than this waiting at once (a bulk import) and a fresh build is quicker than
# re-reading every record they name one by one.
INCREMENTAL_EVENTS = 2_000


@dataclass(frozen=True)
class _Built:
    backend: VectorBackend
    cursor: OutboxCursor


class RegisterIndex:
    def __init__(self, engine: Engine, build: Callable[..., VectorBackend] = VectorBackend) -> None:
        self.engine = engine
        self._build = build
        self._refreshing = threading.Lock()
        with snapshot(engine) as connection:
            self._state = self._load(connection)

    def _load(self, connection: Connection) -> _Built:
        cursor = snapshot_cursor(connection)
        backend = self._build(search_document(r) for r in iter_records(connection))
        return _Built(backend, cursor)

    @property
    def backend(self) -> VectorBackend:
        return self._state.backend

    @property
    def position(self) -> int:
        return self._state.cursor.position

    @property
    def statistics(self) -> RegisterStatistics:
        return self.backend.statistics

    def search(self, prepared: PreparedQuery, top: int) -> list[Score]:
        """Search what the register holds now: a long-running server sees every change."""
        self.refresh()
        return self.backend.search(prepared, top)

    def refresh(self) -> bool:
        """Catch up with changes since the last refresh; say whether there were any."""
        with self.engine.connect() as connection:
            if not outbox_moved(connection, self._state.cursor, INCREMENTAL_EVENTS):
                return False
        with self._refreshing, snapshot(self.engine) as connection:
            # Another thread may have applied the change while this one waited.
            state = self._state
            if outbox_position(connection) < state.cursor.position:
                self._state = self._load(connection)  # a register restored from a backup
                return True
            read = read_outbox(connection, state.cursor, INCREMENTAL_EVENTS)
            if not read.complete:
                self._state = self._load(connection)
                return True
            if not read.new:  # at most the cursor moves past a gap: nothing to apply
                self._state = _Built(state.backend, read.cursor)
                return False
            references = list(dict.fromkeys(e.reference for e in read.new))
            records = load_current_records(connection, references)
            documents = [search_document(r) for r in records]
            found = {d.reference for d in documents}
            backend = state.backend.changed(documents, [r for r in references if r not in found])
            self._state = _Built(backend, read.cursor)
        return True
