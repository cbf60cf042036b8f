"""The security model's pieces, built from the settings: signing keys, the audit chain's
signer, the Argon2 parameters, the session policy, restricted fields, and the CLI's local
operator (who is audited like any user)."""

import datetime as dt
import getpass
import os
import secrets
from pathlib import Path

from foundation.errors import InvalidInput
from register.audit import Auditor
from register.audit_chain import ChainSigner
from register.keys import SigningKeys
from register.passwords import Argon2Parameters
from register.permissions import RestrictionPolicy
from register.principals import Principal, Role, local_operator
from register.sessions import SessionPolicy
from visor.settings import DEMO_KEY_FILE, Settings

KEY_HELP = (
    "VISOR_SECRET_KEY is not set: every signing key (sessions, CSRF, the audit chain) is "
    "derived from it. Generate one with "
    "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`, keep it secret and the same "
    "on every machine of the deployment"
)


def demo_secret(home: Path) -> str:
    """The demo register's own random key, made by `visor demo` beside its data: a demo
    needs no set-up, and its key signs nothing outside it."""
    path = home / DEMO_KEY_FILE
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def signing_keys(settings: Settings) -> SigningKeys:
    if settings.secret_key is not None:
        secret = settings.secret_key.get_secret_value()
    elif settings.is_demo:
        secret = demo_secret(settings.home)
    else:
        raise InvalidInput(KEY_HELP)
    return SigningKeys.from_secret(secret.encode("utf-8"))


def chain_signer(settings: Settings) -> ChainSigner:
    return ChainSigner(signing_keys(settings).audit, settings.audit_checkpoint_every)


def argon2_parameters(settings: Settings) -> Argon2Parameters:
    return Argon2Parameters(
        settings.argon2_memory_kib, settings.argon2_time_cost, settings.argon2_parallelism
    )


def session_policy(settings: Settings) -> SessionPolicy:
    return SessionPolicy(
        token_lifetime=dt.timedelta(minutes=settings.token_minutes),
        idle_timeout=dt.timedelta(minutes=settings.session_idle_minutes),
        absolute_lifetime=dt.timedelta(hours=settings.session_max_hours),
        lockout_threshold=settings.lockout_threshold,
        lockout_period=dt.timedelta(minutes=settings.lockout_minutes)
        if settings.lockout_minutes
        else None,
    )


def restriction_policy(settings: Settings) -> RestrictionPolicy:
    return RestrictionPolicy(
        fields=frozenset(settings.restricted_fields),
        roles=frozenset(Role(name) for name in settings.restricted_field_roles),
    )


def operator_principal(settings: Settings) -> Principal:
    name = settings.operator
    if not name:
        try:
            name = f"operator:{getpass.getuser()}"
        except (KeyError, OSError):
            name = "operator:unknown"
    return local_operator(name, settings.operator_agency)


def operator_auditor(settings: Settings) -> Auditor:
    return Auditor(chain_signer(settings), operator_principal(settings), client="cli")


def check_purpose(settings: Settings, purpose: str | None) -> str | None:
    """The stated purpose, stripped; refused when one is required and missing."""
    stated = purpose.strip() if purpose else None
    if stated and len(stated) > 500:
        raise InvalidInput("purpose: at most 500 characters")
    if stated and not stated.isprintable():
        # Kept as it is said in the audit trail, where a control character (a NUL, which
        # PostgreSQL refuses, or a terminal escape) has no place.
        raise InvalidInput("purpose: plain text, without control characters")
    if not stated and settings.purpose_required:
        raise InvalidInput(
            "purpose: state why (e.g. an incident or case number): every search and view is "
            "logged with its purpose (DPA 2018 s.62)"
        )
    return stated or None
