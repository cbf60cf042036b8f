"""Many writers at once through register/changes.replace, with optimistic concurrency (read the
version, write against it, retry on StaleVersion), beside readers whose audited views write
an audit entry after reading: no update is lost, each committed version is unique, and no
"database is locked" (or any other database error) reaches a caller."""

import threading
from collections import Counter
from dataclasses import dataclass, field

import pytest

from foundation.errors import StaleVersion
from register import changes, store
from register.audit import verify_register
from register.database import snapshot
from register.model import NominalRecord
from tests.conftest import minimal_record
from visor.security import chain_signer, operator_auditor
from visor.services import Services

WRITERS = 8
EDITS_PER_WRITER = 20
VIEWERS = 2
NOMINALS = 3  # few, so that writers collide on the same record all the time


@dataclass
class Tally:
    committed: list[tuple[str, int, str]] = field(default_factory=list)  # ref, version, tag
    stale_retries: int = 0
    views: int = 0
    errors: list[BaseException] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def writer(services: Services, number: int, tally: Tally, start: threading.Barrier) -> None:
    auditor = operator_auditor(services.settings)
    start.wait()
    try:
        for edit in range(EDITS_PER_WRITER):
            reference = f"C{(number + edit) % NOMINALS}"
            tag = f"w{number}-e{edit}"
            while True:
                # One snapshot for the record and its version: on PostgreSQL two statements
                # outside one would each see the latest commit, and could disagree.
                with snapshot(services.engine) as connection:
                    current = store.get_record(connection, reference)
                    version = store.find_existing(connection, [reference])[reference].version
                # The counter-like field: one trait per successful write.
                edited = current.model_copy(
                    update={"behavioural_traits": [*current.behavioural_traits, tag]}
                )
                try:
                    with services.engine.begin() as connection:
                        written = changes.replace(connection, auditor, edited, version)
                except StaleVersion:
                    with tally.lock:
                        tally.stale_retries += 1
                    continue
                with tally.lock:
                    tally.committed.append((reference, written.version, tag))
                break
    except BaseException as error:
        tally.errors.append(error)


def viewer(services: Services, tally: Tally, done: threading.Event) -> None:
    """Reads a nominal, then appends the view to the audit trail: on SQLite a transaction
    that reads before it writes is what once met "database is locked"."""
    auditor = operator_auditor(services.settings)
    count = 0
    try:
        while not done.is_set():
            with services.engine.begin() as connection:
                changes.view(connection, auditor, f"C{count % NOMINALS}", "concurrency test")
            count += 1
            done.wait(0.005)  # a reader's pace, not a spin
    except BaseException as error:
        tally.errors.append(error)
    with tally.lock:
        tally.views += count


@pytest.mark.slow
def test_concurrent_writers_lose_no_update_and_never_see_a_locked_database(
    services: Services,
) -> None:
    auditor = operator_auditor(services.settings)
    with services.engine.begin() as connection:
        for index in range(NOMINALS):
            record = NominalRecord.model_validate(minimal_record(f"C{index}"))
            changes.create(connection, auditor, record)
    tally = Tally()
    start = threading.Barrier(WRITERS)
    done = threading.Event()
    viewers = [
        threading.Thread(target=viewer, args=(services, tally, done)) for _ in range(VIEWERS)
    ]
    writers = [
        threading.Thread(target=writer, args=(services, number, tally, start))
        for number in range(WRITERS)
    ]
    for thread in viewers + writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=300)
    done.set()
    for thread in viewers:
        thread.join(timeout=60)

    assert tally.errors == []
    assert len(tally.committed) == WRITERS * EDITS_PER_WRITER
    # Each successful write made a version of its own: none was written twice.
    versions = Counter((reference, version) for reference, version, _tag in tally.committed)
    assert max(versions.values()) == 1
    with snapshot(services.engine) as connection:
        for index in range(NOMINALS):
            reference = f"C{index}"
            record = store.get_record(connection, reference)
            tags = [tag for ref, _v, tag in tally.committed if ref == reference]
            # No lost update: every successful write's trait is there, once, and no other.
            assert sorted(record.behavioural_traits) == sorted(tags)
            history = [entry.version for entry in store.history(connection, reference)]
            assert history == list(range(1, len(tags) + 2))
        report = verify_register(connection, chain_signer(services.settings))
    assert report.intact, report.problem
    assert report.entries == NOMINALS + len(tally.committed) + tally.views
    print(
        f"\n{services.engine.dialect.name}: {len(tally.committed)} writes by {WRITERS} writers, "
        f"{tally.stale_retries} StaleVersion retries, {tally.views} audited views beside"
    )


def test_a_transaction_that_reads_first_is_not_overtaken_by_another_writer(
    services: Services,
) -> None:
    """The sequence that raised "database is locked" on SQLite, made deterministic: one
    write transaction reads, another writer tries to commit in between, then the first
    writes. The first must succeed (on SQLite the second waits for it)."""
    auditor = operator_auditor(services.settings)
    with services.engine.begin() as connection:
        changes.create(connection, auditor, NominalRecord.model_validate(minimal_record("R1")))
    first_read, second_tried = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def second() -> None:
        first_read.wait()
        try:
            with services.engine.begin() as connection:
                changes.set_status(connection, auditor, "R1", "archived", "second writer")
        except BaseException as error:
            errors.append(error)
        second_tried.set()

    other = threading.Thread(target=second)
    other.start()
    with services.engine.begin() as connection:
        record = store.get_record(connection, "R1")  # the read that fixes a snapshot
        first_read.set()
        second_tried.wait(timeout=1.0)  # long enough for the second to commit, were it let
        changes.view(connection, auditor, record.reference, "the first reads, then audits")
    other.join(timeout=60)
    assert errors == []
    with snapshot(services.engine) as connection:
        assert store.get_record(connection, "R1").status == "archived"
