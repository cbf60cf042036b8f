"""Keys derived from the one secret (VISOR_SECRET_KEY), one per use: a token key cannot sign
the audit chain, nor the other way round."""

import hashlib
import hmac
from dataclasses import dataclass


def _derive(secret: bytes, purpose: str) -> bytes:
    return hmac.new(secret, f"visor key for {purpose}".encode(), hashlib.sha256).digest()


@dataclass(frozen=True)
class SigningKeys:
    tokens: bytes
    csrf: bytes
    audit: bytes

    @classmethod
    def from_secret(cls, secret: bytes) -> "SigningKeys":
        return cls(
            tokens=_derive(secret, "session tokens"),
            csrf=_derive(secret, "csrf tokens"),
            audit=_derive(secret, "the audit chain"),
        )
