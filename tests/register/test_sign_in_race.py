"""Two sign-ins of one user at once, when the first to commit rehashes the password (the
Argon2 parameters changed): the second, which checked the password against the old hash, is
let in too. Found by the crash harness (tests/reliability/crashing.py), whose two API
clients signing in together were refused "password changed during sign-in"."""

from typing import Any

import pytest

from register import agencies, passwords, sign_in, users
from register.passwords import Argon2Parameters
from register.principals import AgencyKind
from register.sessions import SessionPolicy
from visor.security import chain_signer, operator_auditor
from visor.services import Services

PASSWORD = "correct horse battery staple"
OLD = Argon2Parameters(memory_kib=19 * 1024, time_cost=2, parallelism=1)
NEW = Argon2Parameters(memory_kib=19 * 1024, time_cost=3, parallelism=1)


def _sign_in(services: Services, password: str = PASSWORD) -> sign_in.SignInOutcome:
    return sign_in.sign_in(
        services.engine,
        chain_signer(services.settings),
        "racer",
        password,
        NEW,
        SessionPolicy(),
        "bearer",
        None,
    )


@pytest.fixture
def racer(services: Services) -> Services:
    with services.engine.begin() as connection:
        agencies.add_agency(connection, "MPS", "MPS (test)", AgencyKind.POLICE)
        users.add_user(
            connection,
            operator_auditor(services.settings),
            "racer",
            "MPS",
            users.parse_roles(["officer"]),
            PASSWORD,
            OLD,
        )
    return services


def _with_another_sign_in_between(
    monkeypatch: pytest.MonkeyPatch, services: Services, password: str
) -> list[sign_in.SignInOutcome]:
    """The first sign-in checks the password; before it takes the write lock, another
    sign-in (with the right password) commits, rehashing it."""
    real = passwords.verify_password
    between: list[sign_in.SignInOutcome] = []
    calls = 0

    def verify(*args: Any) -> bool:
        nonlocal calls
        calls += 1
        result = real(*args)
        if calls == 1:  # the first sign-in's check, not the one between's
            between.append(_sign_in(services))
        return result

    monkeypatch.setattr(sign_in, "verify_password", verify)
    return [_sign_in(services, password), *between]


def test_a_sign_in_beside_one_that_rehashes_is_let_in(
    racer: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _with_another_sign_in_between(monkeypatch, racer, PASSWORD)
    assert second.refused is None and second.session is not None
    assert first.refused is None and first.session is not None


def test_a_wrong_password_beside_a_rehash_is_still_refused(
    racer: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _with_another_sign_in_between(monkeypatch, racer, "not the password at all")
    assert second.refused is None
    assert first.refused == "password changed during sign-in"
    assert first.session is None
