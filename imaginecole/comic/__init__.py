"""Comics (bandes dessinées numériques): a bundle folder with manifest.json and media/.

See comic.schema.json for the manifest. Pages hold panels laid out in slots;
panels hold characters and props (OpenMoji art), images, bubbles, captions and
sound effects. The renderer, exporters and editor all read this one manifest.
"""

from .art import (
    ATTRIBUTION,
    SCENES,
    SKIN_TONES,
    ArtItem,
    art_index,
    art_label,
    art_svg,
    attribution,
    scene_label,
    scene_svg,
    variant,
)
from .layout import FORMATS, LAYOUTS, Rect, comic_direction, page_size, panel_rects, slot_count
from .model import TEMPLATES, new_comic
from .transcript import TranscriptEntry, transcript, transcript_text
from .validate import (
    COMIC_SCHEMA_VERSION,
    comic_export_problems,
    comic_schema,
    sanitize_comic,
    validate_comic,
)

__all__ = [
    "ATTRIBUTION",
    "COMIC_SCHEMA_VERSION",
    "FORMATS",
    "LAYOUTS",
    "SCENES",
    "SKIN_TONES",
    "TEMPLATES",
    "ArtItem",
    "Rect",
    "TranscriptEntry",
    "art_index",
    "art_label",
    "art_svg",
    "attribution",
    "comic_direction",
    "comic_export_problems",
    "comic_schema",
    "new_comic",
    "page_size",
    "panel_rects",
    "sanitize_comic",
    "scene_label",
    "scene_svg",
    "slot_count",
    "transcript",
    "transcript_text",
    "validate_comic",
    "variant",
]
