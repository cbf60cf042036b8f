"""The embedded backend kept current with the register through its outbox.

The backend is built from one snapshot of the register together with the outbox position
that snapshot includes; `refresh()` looks for outbox events past that position and, if
there are any, builds again from a new snapshot. Rebuilding whole keeps the arrays simple
and exact; at 100,000 nominals it takes seconds, and only after a change.

A server searches from several threads at once: one rebuild at a time, the others waiting
for it rather than each rebuilding the same change (under load every search in flight saw
the change together and all rebuilt at once), and the backend and the position it was built
at are replaced together.
"""

import threading
from collections.abc import Callable

from sqlalchemy import Engine

from register.database import snapshot
from register.indexing import outbox_position
from register.store import iter_records
from search.document import search_document
from search.scoring import PreparedQuery, Score
from search.statistics import RegisterStatistics
from search.vector_backend import VectorBackend


class RegisterIndex:
    def __init__(self, engine: Engine, build: Callable[..., VectorBackend] = VectorBackend) -> None:
        self.engine = engine
        self._build = build
        self._rebuilding = threading.Lock()
        self.position, self.backend = self._load()

    def _load(self) -> tuple[int, VectorBackend]:
        with snapshot(self.engine) as connection:
            position = outbox_position(connection)
            backend = self._build(search_document(r) for r in iter_records(connection))
        return position, backend

    @property
    def statistics(self) -> RegisterStatistics:
        return self.backend.statistics

    def search(self, prepared: PreparedQuery, top: int) -> list[Score]:
        """Search what the register holds now: a long-running server sees every change."""
        self.refresh()
        return self.backend.search(prepared, top)

    def refresh(self) -> bool:
        """Catch up with changes since the last build; say whether there were any."""
        with self.engine.connect() as connection:
            latest = outbox_position(connection)
        if latest == self.position:
            return False
        with self._rebuilding:
            # Another thread may have rebuilt past `latest` while this one waited.
            if latest <= self.position:
                return False
            self.position, self.backend = self._load()
        return True
