"""Alembic migrations of the catalogue database, run by `Database.migrate()`."""
