"""Creating and replacing nominals through the audited change functions that the API and the
web UI share: authorized against the register, version-checked, and recorded with their
audit entry in one transaction."""

import threading

import pytest
from sqlalchemy import func, select

from foundation.errors import Conflict, Forbidden, InvalidInput, StaleVersion
from register import changes, store, tables
from register.audit import Auditor
from register.model import NominalRecord
from register.principals import Principal, Role
from tests.conftest import minimal_record
from visor.security import chain_signer, operator_auditor
from visor.services import Services
from visor.settings import Settings


def officer(settings: Settings, agency: str) -> Auditor:
    principal = Principal("pc-" + agency.lower(), agency, frozenset({Role.OFFICER}))
    return Auditor(chain_signer(settings), principal, client="test")


def record(reference: str, **fields: object) -> NominalRecord:
    return NominalRecord.model_validate(minimal_record(reference, **fields))


def audit_actions(services: Services, reference: str) -> list[str]:
    e, r = tables.audit_entries, tables.audit_references
    with services.engine.connect() as connection:
        rows = connection.execute(
            select(e.c.action)
            .join(r, r.c.seq == e.c.seq)
            .where(r.c.reference == reference)
            .order_by(e.c.seq)
        )
        return [row.action for row in rows]


def test_create_then_replace_at_the_right_version(services: Services, settings: Settings) -> None:
    mps = officer(settings, "MPS")
    with services.engine.begin() as connection:
        created = changes.create(connection, mps, record("N1", managing_agency="MPS"))
    assert created.version == 1
    with services.engine.begin() as connection:
        written = changes.replace(
            connection, mps, record("N1", managing_agency="MPS", eye_colour="blue"), 1, "seen"
        )
    assert (written.version, written.changed_fields) == (2, ["eye_colour"])
    with services.engine.begin() as connection:
        unchanged = changes.replace(
            connection, mps, record("N1", managing_agency="MPS", eye_colour="blue"), 2
        )
    assert unchanged.version == 2
    assert audit_actions(services, "N1") == ["nominal.create", "nominal.update"]


def test_a_stale_replace_changes_nothing(services: Services, settings: Settings) -> None:
    mps = officer(settings, "MPS")
    with services.engine.begin() as connection:
        changes.create(connection, mps, record("N1", managing_agency="MPS"))
        changes.replace(connection, mps, record("N1", managing_agency="MPS", eye_colour="blue"), 1)
    with pytest.raises(StaleVersion) as stale, services.engine.begin() as connection:
        changes.replace(connection, mps, record("N1", managing_agency="MPS", eye_colour="grey"), 1)
    assert (stale.value.expected, stale.value.current) == (1, 2)
    with services.engine.connect() as connection:
        assert store.get_record(connection, "N1").eye_colour == "blue"


def test_who_may_create_and_replace(services: Services, settings: Settings) -> None:
    mps, gmp = officer(settings, "MPS"), officer(settings, "GMP")
    with pytest.raises(Forbidden), services.engine.begin() as connection:
        changes.create(connection, mps, record("N1", managing_agency="GMP"))
    with services.engine.begin() as connection:
        changes.create(connection, mps, record("N1", managing_agency="MPS"))
    with pytest.raises(Conflict), services.engine.begin() as connection:
        changes.create(connection, mps, record("N1", managing_agency="MPS"))
    with pytest.raises(Forbidden), services.engine.begin() as connection:
        changes.replace(connection, gmp, record("N1", managing_agency="MPS", eye_colour="blue"), 1)
    with pytest.raises(InvalidInput), services.engine.begin() as connection:
        changes.replace(connection, mps, record("N1", managing_agency="GMP"), 1)
    with services.engine.connect() as connection:
        assert store.get_record(connection, "N1").eye_colour is None


def test_two_replaces_at_once_one_wins_the_other_is_stale(
    services: Services, settings: Settings
) -> None:
    with services.engine.begin() as connection:
        changes.create(connection, operator_auditor(settings), record("N1", managing_agency="MPS"))
    mps = officer(settings, "MPS")
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def edit(colour: str) -> None:
        start.wait()
        try:
            with services.engine.begin() as connection:
                changes.replace(
                    connection, mps, record("N1", managing_agency="MPS", eye_colour=colour), 1
                )
            outcomes.append("written " + colour)
        except StaleVersion:
            outcomes.append("stale")

    threads = [threading.Thread(target=edit, args=(c,)) for c in ("blue", "green")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.split()[0] for o in outcomes) == ["stale", "written"]
    winner = next(o.split()[1] for o in outcomes if o.startswith("written"))
    with services.engine.connect() as connection:
        assert store.get_record(connection, "N1").eye_colour == winner
        versions = connection.execute(select(func.max(tables.nominals.c.version))).scalar()
    assert versions == 2
