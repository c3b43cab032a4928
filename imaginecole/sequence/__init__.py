"""Modules and parcours: ordered sequences of resources, aligned with a national curriculum.

A module orders grains, comics, podcasts and notebook apps, with an introduction, objectives,
a duration and a completion rule; a parcours orders modules, with prerequisites and a target
level. Both are bundles (module.schema.json, parcours.schema.json) that name their parts.
"""

from .model import (
    Item,
    Sequence,
    add_item,
    item_entry,
    move_item,
    new_module,
    new_parcours,
    relative_path,
    remove_item,
    resolve,
)
from .validate import (
    MODULE,
    PARCOURS,
    PART_TYPES,
    SEQUENCE_TYPES,
    sanitize_sequence,
    sequence_schema,
    validate_sequence,
)

__all__ = [
    "MODULE",
    "PARCOURS",
    "PART_TYPES",
    "SEQUENCE_TYPES",
    "Item",
    "Sequence",
    "add_item",
    "item_entry",
    "move_item",
    "new_module",
    "new_parcours",
    "relative_path",
    "remove_item",
    "resolve",
    "sanitize_sequence",
    "sequence_schema",
    "validate_sequence",
]
