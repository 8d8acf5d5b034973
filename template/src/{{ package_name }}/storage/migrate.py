"""Apply Alembic migrations from code (start-up) or from the ``alembic`` CLI.

Readiness checks them too (:class:`MigrationsCheck`): a service started with
``AUTO_MIGRATE=false`` on a database its migrations have not reached stays
unready, so that no load balancer sends it requests that would all fail.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from .database import Database

MIGRATIONS = Path(__file__).parent / "migrations"
_CURRENT_REVISION = text("SELECT version_num FROM alembic_version")


def alembic_config(url: str) -> Config:
    """Return an Alembic configuration for this service's migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade_to_head(database: Database) -> None:
    """Apply every pending migration over the service's own engine."""

    def _upgrade(connection: Connection) -> None:
        config = alembic_config(database.engine.url.render_as_string(False))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    # Alembic opens and commits the migrations' transactions itself.
    async with database.engine.connect() as connection:
        await connection.run_sync(_upgrade)


class MigrationsPendingError(RuntimeError):
    """The database is at an older revision than this code's newest migration."""


class MigrationsCheck:
    """Readiness check: the database has every migration this code ships.

    A revision this code does not know counts as newer: while a rolling
    deployment runs, the replicas still on the old code stay ready.
    """

    def __init__(self, database: Database) -> None:
        self._database = database
        script = ScriptDirectory(str(MIGRATIONS))
        self._head = script.get_current_head()
        self._known = {revision.revision for revision in script.walk_revisions()}

    async def __call__(self) -> None:
        """Raise unless the database's revision is the head or newer.

        Raises:
            MigrationsPendingError: If migrations are pending.
            ExternalServiceError: If the database cannot be read (no
                ``alembic_version`` table: none ever ran).
        """
        async with self._database.transaction() as session:
            current = await session.scalar(_CURRENT_REVISION)
        if current is None or (current != self._head and current in self._known):
            msg = f"database at revision {current}, migrations at {self._head}"
            raise MigrationsPendingError(msg)
