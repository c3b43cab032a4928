"""The jury's default rubric: five criteria, each scored 0 to 5 (a module of its own, so that
the trainer dashboard reads it without the events' model and what that imports)."""

from __future__ import annotations

from ..i18n import N_

# the names are msgids: pages, CSV and forms show them translated until a trainer renames one
DEFAULT_RUBRIC = (
    {"id": "pedagogy", "name": N_("Pedagogical quality"), "weight": 1.0},
    {"id": "accessibility", "name": N_("Accessibility"), "weight": 1.0},
    {"id": "curriculum", "name": N_("Fit with the curriculum"), "weight": 1.0},
    {"id": "originality", "name": N_("Originality"), "weight": 1.0},
    {"id": "technical", "name": N_("Technical quality"), "weight": 1.0},
)
MAX_CRITERIA = 12  # a juror's form stays short enough to fill for every submission
