"""The domain's error hierarchy, shared by every package and mapped to HTTP once, in the API."""


class VisorError(Exception):
    """Base of every error the domain raises on purpose."""


class NotFound(VisorError):
    """The thing asked for does not exist."""


class Conflict(VisorError):
    """The change clashes with the current state (e.g. a concurrent update)."""


class StaleVersion(Conflict):
    """A change made against an older version of a record than the register now holds: the
    writer must read the current one again (HTTP 412)."""

    def __init__(self, reference: str, expected: int, current: int) -> None:
        super().__init__(
            f"{reference} is at version {current}, not {expected}: someone else changed it; "
            "read it again and reapply the change"
        )
        self.reference = reference
        self.expected = expected
        self.current = current


class Forbidden(VisorError):
    """The caller may not do this."""


class InvalidInput(VisorError):
    """The input is malformed; the message says why."""


class BackendUnavailable(VisorError):
    """A service we depend on (database, search engine) cannot be reached."""


class SearchUnavailable(BackendUnavailable):
    """The search engine cannot answer (unreachable, overloaded, or no index yet); the
    register itself is unaffected."""


class Unauthenticated(VisorError):
    """No valid sign-in: no token, or one that is expired, forged or for an ended session.
    The message is the same whatever the cause, so that it tells an attacker nothing."""


class PreconditionRequired(VisorError):
    """A change that must name the version it was made against did not (HTTP 428): without
    it, a writer could overwrite a change it never saw."""


class TooLarge(InvalidInput):
    """The input is larger than the limit for it (HTTP 413); it was not read past the limit."""


class UnsupportedMediaType(InvalidInput):
    """The input is not of a type this reader takes (HTTP 415)."""
