"""Alembic environment: always run in code, on a connection the caller opened.

`Database.migrate()` builds the Config (no alembic.ini) and passes its open
connection in ``config.attributes["connection"]``, inside one transaction.
"""

from __future__ import annotations

from alembic import context

from imaginecole.catalogue.db import Base, include_name

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the catalogue migrations through Database.migrate()")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    include_name=include_name,
    transactional_ddl=True,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
