"""Alembic migrations of the service schema."""
