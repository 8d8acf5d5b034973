"""Users: registration, login with throttling, and profile updates."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ..core.errors import (
    AuthenticationError,
    ExternalServiceError,
    NotFoundError,
    RateLimitedError,
)
from ..core.failure_limit import FailureLimit
from ..core.logging import get_logger
from ..core.passwords import PasswordHasher
from ..core.rate_limit import Limit, RateLimiter
from ..core.tokens import AccessToken, TokenService

_logger = get_logger(__name__)

INVALID_CREDENTIALS = "Invalid email or password."


@dataclass(frozen=True, slots=True)
class User:
    """A registered account. ``password_hash`` never leaves the service."""

    id: uuid.UUID
    email: str
    password_hash: str
    first_name: str | None
    last_name: str | None
    phone: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AuthLimits:
    """How often credentials may be tried, per account and per client IP."""

    login_per_account: Limit
    login_per_client: Limit
    register_per_client: Limit


@dataclass(frozen=True, slots=True)
class NewUser:
    """What registration stores."""

    email: str
    password_hash: str
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None


class UserRepository(Protocol):
    """Where users live. Emails are compared lower-cased."""

    async def add(self, user: NewUser) -> User:
        """Store a new user; raise ``ConflictError`` if the email is taken."""

    async def get(self, user_id: uuid.UUID) -> User | None:
        """Return the user with this id, if any."""

    async def get_by_email(self, email: str) -> User | None:
        """Return the user with this (lower-cased) email, if any."""

    async def update(self, user_id: uuid.UUID, changes: Mapping[str, object]) -> User:
        """Apply ``changes``; raise ``NotFoundError`` or ``ConflictError``."""


class UserService:
    """Use cases of accounts; knows nothing of HTTP or SQL."""

    def __init__(
        self,
        users: UserRepository,
        hasher: PasswordHasher,
        tokens: TokenService,
        limiter: RateLimiter,
        limits: AuthLimits,
    ) -> None:
        self._users = users
        self._hasher = hasher
        self._tokens = tokens
        self._limiter = limiter
        self._limits = limits
        self._account_failures = FailureLimit(limiter, limits.login_per_account)

    async def register(
        self,
        email: str,
        password: str,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        phone: str | None = None,
    ) -> User:
        """Create an account.

        Each client IP may register only so often (counted before hashing).

        Raises:
            RateLimitedError: Too many registrations from this client.
            ConflictError: The email is taken.
        """
        await self._limiter.limit_by_client_ip(self._limits.register_per_client)
        password_hash = await self._hasher.hash(password)
        user = await self._users.add(
            NewUser(
                email=email.lower(),
                password_hash=password_hash,
                first_name=first_name,
                last_name=last_name,
                phone=phone,
            )
        )
        _logger.info("user_registered", user_id=str(user.id))
        return user

    async def login(self, email: str, password: str) -> AccessToken:
        """Exchange credentials for a token.

        Both limits are checked before any hashing, so a throttled attempt
        costs almost nothing: first every attempt from the client's IP is
        counted (against credential stuffing), then the account's failures
        left are checked, each attempt in flight counted as one
        (:class:`FailureLimit`). Only failures use up the account's limit,
        and a success clears it: correct logins, however many at once, are
        never refused. The account is looked up before either: an attempt
        the database cannot answer counts toward neither, so an outage locks
        nobody out once it ends.

        Raises:
            RateLimitedError: Too many attempts from this client, or too many
                failed attempts for this email.
            AuthenticationError: Unknown email or wrong password (same error).
            ExternalServiceError: A dependency is down (logged as an attempt
                whose outcome is ``unavailable``).
        """
        email = email.lower()
        try:
            return await self._login(email, password)
        except ExternalServiceError as error:
            _logger.warning(
                "login_attempt",
                outcome="unavailable",
                email=email,
                dependency=error.dependency,
            )
            raise

    async def _login(self, email: str, password: str) -> AccessToken:
        user = await self._users.get_by_email(email)
        try:
            await self._limiter.limit_by_client_ip(self._limits.login_per_client)
            async with self._account_failures.attempt(email):
                return await self._check_password(user, email, password)
        except RateLimitedError:
            _logger.warning("login_attempt", outcome="rate_limited", email=email)
            raise

    async def _check_password(
        self, user: User | None, email: str, password: str
    ) -> AccessToken:
        if user is None:
            await self._hasher.verify_dummy(password)
        elif await self._hasher.verify(password, user.password_hash):
            await self._account_failures.succeeded(email)
            await self._upgrade_hash(user, password)
            _logger.info("login_attempt", outcome="success", user_id=str(user.id))
            return self._tokens.issue(user.id)
        await self._account_failures.failed(email)
        _logger.warning("login_attempt", outcome="failure", email=email)
        raise AuthenticationError(INVALID_CREDENTIALS)

    async def _upgrade_hash(self, user: User, password: str) -> None:
        """Re-hash with the current settings if the stored hash is weaker."""
        if self._hasher.needs_rehash(user.password_hash):
            new_hash = await self._hasher.hash(password)
            await self._users.update(user.id, {"password_hash": new_hash})
            _logger.info("password_hash_upgraded", user_id=str(user.id))

    async def authenticate(self, token: str) -> User:
        """Return the user a bearer token names.

        Raises:
            AuthenticationError: If the token is invalid or its user is gone.
        """
        user = await self._users.get(self._tokens.verify(token))
        if user is None:
            raise AuthenticationError
        return user

    async def update_profile(
        self, user: User, changes: Mapping[str, str | None]
    ) -> User:
        """Change profile fields; raise ``ConflictError`` if the email is taken."""
        fields = dict(changes)
        if fields.get("email") is not None:
            fields["email"] = str(fields["email"]).lower()
        if not fields:
            return user
        try:
            return await self._users.update(user.id, fields)
        except NotFoundError as exc:
            raise AuthenticationError from exc
