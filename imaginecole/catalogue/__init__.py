"""The shared catalogue: publish, review, search, download, harvest, federate.

One service, run two ways: as a JupyterHub service inside `imaginecole up`
(hub OAuth, custom scopes) or standalone for a national server (its own
accounts and API tokens). Layers, bottom up:

- `db`, `store`, `search`: SQLAlchemy models (SQLite WAL or PostgreSQL, Alembic
  migrations), the content-addressed file store (fsspec), French full-text search;
- `service.Catalogue`: every operation, with its permission checks;
- `web`, `oai`: the HTTP pages, the JSON API and the OAI-PMH endpoint;
- `importer`, `harvest`: bulk import of outside packages, OAI-PMH harvesting;
- `commands`: `imaginecole catalogue …`.
"""
