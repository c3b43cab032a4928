"""Grain bundles: a folder with manifest.json (see grain.schema.json) and media/.

The one source of truth of a grain. Widgets write it, exporters and the
catalogue read it, all through this package.
"""

from .media import MediaError, add_media, safe_media_name
from .model import (
    UPGRADES,
    create_bundle,
    grain_kinds,
    load_manifest,
    new_grain,
    sanitize_manifest,
    save_manifest,
    upgrade_manifest,
)
from .richtext import sanitize_rich_text
from .validate import (
    MAX_MANIFEST_BYTES,
    SCHEMA_VERSION,
    BundleError,
    Problem,
    grain_schema,
    validate_manifest,
)

__all__ = [
    "MAX_MANIFEST_BYTES",
    "SCHEMA_VERSION",
    "UPGRADES",
    "BundleError",
    "MediaError",
    "Problem",
    "add_media",
    "create_bundle",
    "grain_kinds",
    "grain_schema",
    "load_manifest",
    "new_grain",
    "safe_media_name",
    "sanitize_manifest",
    "sanitize_rich_text",
    "save_manifest",
    "upgrade_manifest",
    "validate_manifest",
]
