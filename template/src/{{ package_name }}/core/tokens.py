"""Signed bearer tokens (JWT, HS256) naming the authenticated user."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import jwt

from .errors import AuthenticationError

_ALGORITHM = "HS256"


@dataclass(frozen=True, slots=True)
class AccessToken:
    """An issued token and how long it stays valid."""

    access_token: str
    expires_in: int
    token_type: str = "bearer"  # noqa: S105 - the OAuth 2 token type, not a secret


class TokenService:
    """Issue and verify access tokens signed with the service's secret key."""

    def __init__(self, secret_key: str, ttl_seconds: int, issuer: str) -> None:
        self._key = secret_key
        self._ttl = ttl_seconds
        self._issuer = issuer

    def issue(self, subject: uuid.UUID) -> AccessToken:
        """Return a token for ``subject`` valid for the configured lifetime."""
        now = int(time.time())
        claims = {
            "sub": str(subject),
            "iss": self._issuer,
            "iat": now,
            "exp": now + self._ttl,
            "jti": uuid.uuid4().hex,
        }
        token = jwt.encode(claims, self._key, algorithm=_ALGORITHM)
        return AccessToken(access_token=token, expires_in=self._ttl)

    def verify(self, token: str) -> uuid.UUID:
        """Return the subject of a valid token.

        Raises:
            AuthenticationError: If the token is malformed, tampered with,
                expired or issued by someone else.
        """
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[_ALGORITHM],
                issuer=self._issuer,
                options={"require": ["sub", "exp", "iat", "iss"]},
            )
            return uuid.UUID(claims["sub"])
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise AuthenticationError from exc
