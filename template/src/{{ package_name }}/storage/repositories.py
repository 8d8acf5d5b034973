"""SQLAlchemy repositories: the domain's ports over the database."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update

from ..core.errors import NotFoundError
from ..domain.resources import Page, Resource
from ..domain.users import NewUser, User
from .database import Database
from .tables import ResourceRow, UserRow

EMAIL_TAKEN = "This email is already registered."
NAME_TAKEN = "A resource with this name already exists."


def _aware(moment: datetime) -> datetime:
    """Some drivers hand back naive datetimes; ours are always UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _user(row: UserRow) -> User:
    return User(
        id=row.id,
        email=row.email,
        password_hash=row.password_hash,
        first_name=row.first_name,
        last_name=row.last_name,
        phone=row.phone,
        created_at=_aware(row.created_at),
    )


def _resource(row: ResourceRow) -> Resource:
    return Resource(
        id=row.id,
        owner_id=row.owner_id,
        name=row.name,
        description=row.description,
        created_at=_aware(row.created_at),
    )


class SqlUserRepository:
    """Users in the ``users`` table."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(self, user: NewUser) -> User:
        """Insert a user; the unique email constraint decides conflicts."""
        row = UserRow(
            email=user.email,
            password_hash=user.password_hash,
            first_name=user.first_name,
            last_name=user.last_name,
            phone=user.phone,
        )
        async with self._db.transaction(conflict=EMAIL_TAKEN) as session:
            session.add(row)
        return _user(row)

    async def get(self, user_id: uuid.UUID) -> User | None:
        """Return the user with this id, if any."""
        async with self._db.transaction() as session:
            row = await session.get(UserRow, user_id)
        return _user(row) if row else None

    async def get_by_email(self, email: str) -> User | None:
        """Return the user with this lower-cased email, if any."""
        async with self._db.transaction() as session:
            row = await session.scalar(select(UserRow).where(UserRow.email == email))
        return _user(row) if row else None

    async def update(self, user_id: uuid.UUID, changes: Mapping[str, object]) -> User:
        """Apply ``changes`` to one user and return the result."""
        async with self._db.transaction(conflict=EMAIL_TAKEN) as session:
            await session.execute(
                update(UserRow).where(UserRow.id == user_id).values(**changes)
            )
            row = await session.get(UserRow, user_id, populate_existing=True)
        if row is None:
            raise NotFoundError
        return _user(row)


class SqlResourceRepository:
    """Resources in the ``resources`` table."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(
        self, owner_id: uuid.UUID, name: str, description: str | None
    ) -> Resource:
        """Insert a resource; the unique name constraint decides conflicts."""
        row = ResourceRow(owner_id=owner_id, name=name, description=description)
        async with self._db.transaction(conflict=NAME_TAKEN) as session:
            session.add(row)
        return _resource(row)

    async def get(self, owner_id: uuid.UUID, resource_id: uuid.UUID) -> Resource | None:
        """Return the owner's resource with this id, if any."""
        async with self._db.transaction() as session:
            row = await session.scalar(
                select(ResourceRow).where(
                    ResourceRow.id == resource_id, ResourceRow.owner_id == owner_id
                )
            )
        return _resource(row) if row else None

    async def list(self, owner_id: uuid.UUID, limit: int, offset: int) -> Page:
        """Return a page of the owner's resources, oldest first."""
        owned = ResourceRow.owner_id == owner_id
        async with self._db.transaction() as session:
            total = await session.scalar(
                select(func.count()).select_from(ResourceRow).where(owned)
            )
            rows = await session.scalars(
                select(ResourceRow)
                .where(owned)
                .order_by(ResourceRow.created_at, ResourceRow.id)
                .limit(limit)
                .offset(offset)
            )
            items = [_resource(row) for row in rows]
        return Page(items=items, total=total or 0, limit=limit, offset=offset)

    async def delete(self, owner_id: uuid.UUID, resource_id: uuid.UUID) -> bool:
        """Delete the owner's resource; return whether it existed."""
        async with self._db.transaction() as session:
            result = await session.execute(
                delete(ResourceRow).where(
                    ResourceRow.id == resource_id, ResourceRow.owner_id == owner_id
                )
            )
        return bool(result.rowcount)  # type: ignore[attr-defined]
