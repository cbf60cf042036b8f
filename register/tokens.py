"""Signed, short-lived bearer tokens (JWT, HS256 only) naming a session.

The token alone never suffices: it names a session, checked in the register on every use
(register/sessions.py). Only HS256 with our key is accepted: `alg: none`, another algorithm
or another key is refused, as is a token without an expiry, past it, or issued by another.
"""

import datetime as dt
from dataclasses import dataclass

import jwt

from foundation.errors import Unauthenticated

ISSUER = "visor"
ALGORITHM = "HS256"


@dataclass(frozen=True)
class TokenClaims:
    username: str
    session_id: str
    expires_at: dt.datetime


def issue_token(
    key: bytes, username: str, session_id: str, issued_at: dt.datetime, lifetime: dt.timedelta
) -> str:
    claims = {
        "iss": ISSUER,
        "sub": username,
        "sid": session_id,
        "iat": int(issued_at.timestamp()),
        "exp": int((issued_at + lifetime).timestamp()),
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def read_token(key: bytes, token: str) -> TokenClaims:
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "sid", "iss"]},
        )
    except jwt.PyJWTError as error:
        raise Unauthenticated("sign in: the token is invalid or has expired") from error
    username, session_id = claims["sub"], claims["sid"]
    if not isinstance(username, str) or not isinstance(session_id, str):
        raise Unauthenticated("sign in: the token is invalid or has expired")
    return TokenClaims(username, session_id, dt.datetime.fromtimestamp(claims["exp"], dt.UTC))
