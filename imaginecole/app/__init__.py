"""Notebook apps: a teacher's ipywidgets notebook, checked, published and served by Voilà.

A notebook-app bundle is a folder with manifest.json (app.schema.json), the notebook
(outputs cleared) and media/thumbnail.png. `check_notebook` runs the notebook in a clean
kernel and records the packages it needs; `new_app` makes the bundle.
"""

from .check import CheckError, CheckProblem, CheckReport, check_notebook
from .model import NOTEBOOK, THUMBNAIL, new_app, take_thumbnail
from .validate import APP_SCHEMA_VERSION, APP_TYPE, app_schema, sanitize_app, validate_app

__all__ = [
    "APP_SCHEMA_VERSION",
    "APP_TYPE",
    "NOTEBOOK",
    "THUMBNAIL",
    "CheckError",
    "CheckProblem",
    "CheckReport",
    "app_schema",
    "check_notebook",
    "new_app",
    "sanitize_app",
    "take_thumbnail",
    "validate_app",
]
