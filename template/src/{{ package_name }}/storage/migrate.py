"""Apply Alembic migrations from code (start-up) or from the ``alembic`` CLI."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from .database import Database

MIGRATIONS = Path(__file__).parent / "migrations"


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
