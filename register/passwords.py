"""Password hashing: Argon2id (argon2-cffi), with the parameters in the settings.

The default is RFC 9106's second recommended option (t=3 passes, m=64 MiB, p=4 lanes), which
costs about 0.1 s a sign-in on one core (benchmarks/auth_audit.py measures each parameter set);
the floor is OWASP's minimum for Argon2id (m=19 MiB, t=2, p=1). A hash made with other
parameters is still verified, and replaced on the next successful sign-in (`needs_rehash`).
"""

from dataclasses import dataclass
from functools import cached_property

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_MEMORY_KIB = 19 * 1024
MIN_TIME_COST = 2
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024


@dataclass(frozen=True)
class Argon2Parameters:
    memory_kib: int = 64 * 1024
    time_cost: int = 3
    parallelism: int = 4

    def __post_init__(self) -> None:
        if self.memory_kib < MIN_MEMORY_KIB or self.time_cost < MIN_TIME_COST:
            raise ValueError(
                f"Argon2id parameters below OWASP's floor (m={MIN_MEMORY_KIB} KiB, t=2, p=1)"
            )
        if self.parallelism < 1:
            raise ValueError("Argon2id parallelism must be at least 1")

    @cached_property
    def hasher(self) -> PasswordHasher:
        return PasswordHasher(
            time_cost=self.time_cost,
            memory_cost=self.memory_kib,
            parallelism=self.parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"a password needs at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"a password may have at most {MAX_PASSWORD_LENGTH} characters"
    if password.strip() != password or not password.isprintable():
        return "a password may not start or end with spaces or hold control characters"
    return None


def hash_password(password: str, parameters: Argon2Parameters) -> str:
    return parameters.hasher.hash(password)


def verify_password(password_hash: str, password: str, parameters: Argon2Parameters) -> bool:
    # Longer passwords were refused when set: no need to spend Argon2 on a megabyte of input.
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return parameters.hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str, parameters: Argon2Parameters) -> bool:
    return parameters.hasher.check_needs_rehash(password_hash)


# Verified against when the username is unknown, so that a sign-in takes as long either way
# and its timing does not tell who has an account.
_DUMMY_PASSWORD = "not-a-password-of-anyone"


def spend_equal_time(parameters: Argon2Parameters) -> None:
    verify_password(_dummy_hash(parameters), _DUMMY_PASSWORD + "x", parameters)


_dummy_hashes: dict[Argon2Parameters, str] = {}


def _dummy_hash(parameters: Argon2Parameters) -> str:
    if parameters not in _dummy_hashes:
        _dummy_hashes[parameters] = hash_password(_DUMMY_PASSWORD, parameters)
    return _dummy_hashes[parameters]
