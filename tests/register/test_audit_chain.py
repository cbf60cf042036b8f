"""The audit trail on SQLite and PostgreSQL: 1,000 random tamperings of a 10,000-entry chain
all detected, the database refusing UPDATE and DELETE, two writers never forking the chain,
and a PostgreSQL role that lacks the rights altogether."""

import dataclasses
import random
import threading
from collections.abc import Iterable, Iterator

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from register import tables
from register.audit import (
    AuditEvent,
    append_entries,
    iter_chain,
    read_checkpoints,
    read_head,
    verify_register,
)
from register.audit_chain import ChainEntry, ChainSigner, entry_hash, verify_chain
from register.principals import Principal, Role
from visor.security import chain_signer
from visor.services import Services

ALICE = Principal("alice", "MPS", frozenset({Role.OFFICER}))
TAMPERINGS = (
    "edit",
    "edit and rehash",
    "delete",
    "delete and renumber",
    "insert",
    "swap",
    "truncate",
    "rewrite the tail",
)


def _events(count: int, rng: random.Random) -> list[AuditEvent]:
    return [
        AuditEvent(
            rng.choice(["search", "nominal.view", "nominal.update"]),
            target=f"R{rng.randrange(500)}",
            purpose=f"case {rng.randrange(10_000)}",
            details={"n": i, "text": "witness said: tall, 'scar'"},
            references=[f"R{rng.randrange(500)}" for _ in range(rng.randrange(4))],
        )
        for i in range(count)
    ]


def _moved(entry: ChainEntry, seq: int, previous: str, own: str = "") -> ChainEntry:
    e = entry
    return ChainEntry(
        seq, e.at, e.actor, e.agency, e.action, e.target, e.outcome, e.purpose, e.client,
        e.details, e.references, previous, own,
    )  # fmt: skip


def _rehashed(entries: list[ChainEntry], start: int) -> Iterator[ChainEntry]:
    """What someone with write access but no key could do: renumber and re-chain from
    `start` on, every hash right. Made as the verifier reads, which stops at the first
    problem."""
    yield from entries[:start]
    previous = entries[start - 1].entry_hash if start else "0" * 64
    for seq, entry in enumerate(entries[start:], start=start + 1):
        own = entry_hash(_moved(entry, seq, previous))
        yield _moved(entry, seq, previous, own)
        previous = own


def _tamper(
    entries: list[ChainEntry], kind: str, rng: random.Random
) -> tuple[Iterable[ChainEntry], int]:
    """A tampered copy and the first entry that is no longer what was written."""
    chain = list(entries)
    i = rng.randrange(len(chain) - 1)
    if kind == "edit":
        chain[i] = dataclasses.replace(chain[i], purpose="nothing to see")
    elif kind == "edit and rehash":
        edited = dataclasses.replace(chain[i], actor="mallory")
        chain[i] = dataclasses.replace(edited, entry_hash=entry_hash(edited))
    elif kind == "delete":
        del chain[i]
    elif kind == "delete and renumber":
        del chain[i]
        return _rehashed(chain, i), i + 1
    elif kind == "insert":
        chain.insert(i, dataclasses.replace(chain[i], action="sign_in", target="mallory"))
        return _rehashed(chain, i), i + 1
    elif kind == "swap":
        j = rng.randrange(i + 1, len(chain))
        chain[i], chain[j] = (
            dataclasses.replace(chain[j], seq=chain[i].seq),
            dataclasses.replace(chain[i], seq=chain[j].seq),
        )
    elif kind == "truncate":
        return chain[: i + 1], i + 2
    else:  # rewrite the tail: one entry changed, the chain re-made from it
        chain[i] = dataclasses.replace(chain[i], references=(*chain[i].references, "FORGED"))
        return _rehashed(chain, i), i + 1
    return chain, i + 1


def test_every_random_tampering_of_a_10000_entry_chain_is_detected(services: Services) -> None:
    rng = random.Random(11)
    signer = dataclasses.replace(chain_signer(services.settings), checkpoint_every=1000)
    with services.engine.begin() as connection:
        append_entries(connection, signer, ALICE, "10.0.0.1", _events(10_000, rng))
    with services.engine.connect() as connection:
        entries = list(iter_chain(connection))
        head, checkpoints = read_head(connection), read_checkpoints(connection)
    assert len(entries) == 10_000 and head.seq == 10_000 and len(checkpoints) == 10
    assert verify_chain(entries, head, checkpoints, signer).intact
    # Each tampered copy shares the untouched entries (immutable, their hashes computed once)
    # and holds fresh ones where it differs, whose hashes the verifier computes anew.
    missed, misplaced = [], []
    every = signer.checkpoint_every
    for attempt in range(1000):
        kind = TAMPERINGS[attempt % len(TAMPERINGS)]
        tampered, first_changed = _tamper(entries, kind, rng)
        report = verify_chain(tampered, head, checkpoints, signer)
        # Named no later than the entry after the change (the link that broke) and no
        # earlier than the last checkpoint before it (a re-chained tail is caught there).
        since_checkpoint = (first_changed - 1) // every * every + 1
        if report.intact:
            missed.append((kind, first_changed))
        elif not since_checkpoint <= (report.first_bad or 0) <= first_changed + 1:
            misplaced.append((kind, first_changed, report.first_bad, report.problem))
    assert missed == []
    assert misplaced == []


def test_verify_names_the_entry_and_a_checkpoint_from_another_key(services: Services) -> None:
    signer = chain_signer(services.settings)
    with services.engine.begin() as connection:
        append_entries(connection, signer, ALICE, None, _events(30, random.Random(1)))
    with services.engine.connect() as connection:
        report = verify_register(connection, signer)
        assert report.intact and report.entries == 30
        other = ChainSigner(b"x" * 32)
        foreign = verify_register(connection, other)
    assert not foreign.intact and "another key" in (foreign.problem or "")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entries SET actor = 'mallory'",
        "DELETE FROM audit_entries",
        "UPDATE audit_references SET reference = 'X'",
        "DELETE FROM audit_checkpoints",
    ],
)
def test_the_database_refuses_to_change_or_remove_entries(
    services: Services, statement: str
) -> None:
    signer = dataclasses.replace(chain_signer(services.settings), checkpoint_every=2)
    with services.engine.begin() as connection:
        append_entries(connection, signer, ALICE, None, _events(4, random.Random(2)))
        append_entries(connection, signer, ALICE, None, [AuditEvent("search", references=["R1"])])
    with pytest.raises(DBAPIError, match="append-only"), services.engine.begin() as connection:
        connection.execute(text(statement))
    if services.engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"), services.engine.begin() as connection:
            connection.execute(text("TRUNCATE audit_entries CASCADE"))
    with services.engine.connect() as connection:
        assert verify_register(connection, signer).intact


def test_two_writers_at_once_never_fork_the_chain(services: Services) -> None:
    signer = chain_signer(services.settings)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        who = Principal(name, "MPS", frozenset({Role.VIEWER}))
        try:
            for i in range(40):
                with services.engine.begin() as connection:
                    append_entries(
                        connection, signer, who, None, [AuditEvent("search", target=f"{name}{i}")]
                    )
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("one", "two", "three")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with services.engine.connect() as connection:
        report = verify_register(connection, signer)
        seqs = list(
            connection.scalars(
                select(tables.audit_entries.c.seq).order_by(tables.audit_entries.c.seq)
            )
        )
    assert report.intact, report.problem
    assert seqs == list(range(1, 121))


@pytest.mark.postgres
def test_a_postgres_role_without_update_and_delete_rights(postgres_url: str) -> None:
    """The role docs/security.md describes: it may read and append, never change; even with
    the triggers out of the way (as the table's owner could put them) it is refused."""
    from register.audit_roles import application_role_grants
    from register.database import open_register

    owner = open_register(postgres_url)
    with owner.begin() as connection:
        connection.execute(text("DROP ROLE IF EXISTS visor_app_test"))
        connection.execute(text("CREATE ROLE visor_app_test LOGIN PASSWORD 'app-password-1'"))
        for statement in application_role_grants("visor_app_test"):
            connection.execute(text(statement))
        connection.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
    url = make_url(postgres_url).set(username="visor_app_test", password="app-password-1")
    app = create_engine(url)
    try:
        signer = ChainSigner(b"k" * 32)
        with app.begin() as connection:
            append_entries(connection, signer, ALICE, None, [AuditEvent("search")])
        for statement in (
            "UPDATE audit_entries SET actor = 'm'",
            "DELETE FROM audit_entries",
            "TRUNCATE audit_entries CASCADE",
        ):
            with pytest.raises(DBAPIError, match="permission denied"), app.begin() as connection:
                connection.execute(text(statement))
        with app.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(tables.audit_entries)) == 1
    finally:
        app.dispose()
        with owner.begin() as connection:
            connection.execute(text("DROP OWNED BY visor_app_test"))
            connection.execute(text("DROP ROLE visor_app_test"))
        owner.dispose()
