"""bcrypt with a safe pre-hash, so long passwords are neither cut nor refused.

bcrypt only reads 72 bytes (bcrypt 5 raises beyond). Every password is first
HMAC-SHA256'd and base64-encoded (44 ASCII bytes, no NUL), so two passwords that
differ after byte 72 stay different. Raw digest bytes are never fed to bcrypt:
they may hold NUL bytes, which bcrypt treats as the end of the input.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from concurrent.futures import ThreadPoolExecutor

import bcrypt

from .passwords import PasswordHasher

# A fixed, public HMAC key: it separates this scheme from a plain SHA-256
# pre-hash. The secrecy lives in bcrypt's salt and cost, not here.
_PREHASH_KEY = b"bcrypt-sha256-prehash-v1"


def _prehash(password: str) -> bytes:
    digest = hmac.new(_PREHASH_KEY, password.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest)


def check_bcrypt(password: str, password_hash: str) -> bool:
    """Return whether ``password`` matches a hash made by :class:`BcryptHasher`.

    Blocking: call it from a worker thread. A malformed hash never matches.
    """
    try:
        return bcrypt.checkpw(_prehash(password), password_hash.encode())
    except ValueError:
        return False


class BcryptHasher(PasswordHasher):
    """bcrypt at a configurable cost (default 12)."""

    def __init__(
        self, rounds: int = 12, executor: ThreadPoolExecutor | None = None
    ) -> None:
        super().__init__(executor)
        self.rounds = rounds

    def needs_rehash(self, password_hash: str) -> bool:
        """Return whether the hash was made at a lower cost than configured."""
        try:
            cost = int(password_hash.split("$")[2])
        except (IndexError, ValueError):
            return True
        return cost < self.rounds

    def _hash(self, password: str) -> str:
        salt = bcrypt.gensalt(rounds=self.rounds)
        return bcrypt.hashpw(_prehash(password), salt).decode()

    def _verify(self, password: str, password_hash: str) -> bool:
        return check_bcrypt(password, password_hash)
