"""The one player: its interface strings, its files and a standalone page.

Every shell (offline HTML, SCORM, Kolibri, the Voilà and catalogue previews) plays a grain with
``templates/player/static/player.js`` and ``player.css``:
``ImaginecolePlayer.mount(root, manifest, {strings, mediaBase, media, onResult, onEvent})``.
This module gives the shells the translated strings (:func:`player_strings`), the two files
(:func:`player_assets`) and a self-contained page to build on (:func:`render_standalone`).

Scoring, the result object and how a question set works are described at the top of player.js.
"""

from __future__ import annotations

import html
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from .i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, ImaginecoleError, translations

# Keys are what player.js asks for; values are the English message ids of the catalogues.
# player.js holds the same English text as its defaults (a unit test keeps them equal).
PLAYER_STRINGS: dict[str, str] = {
    "check": N_("Check"),
    "retry": N_("Try again"),
    "show_solution": N_("Show the solution"),
    "start_again": N_("Start again"),
    "hint": N_("Hint"),
    "transcript": N_("Transcript"),
    "question_n": N_("Question {n} of {total}"),
    "true": N_("True"),
    "false": N_("False"),
    "instructions_single_choice": N_("Choose one answer."),
    "instructions_multiple_choice": N_("Tick every right answer."),
    "instructions_true_false": N_("True or false?"),
    "instructions_fill_blanks": N_("Type the missing words."),
    "instructions_drag_words": N_("Choose the right word for each gap, or drag a word onto a gap."),
    "instructions_matching": N_("Choose the match of each item, or drag an answer onto an item."),
    "instructions_ordering": N_(
        "Put the items in the right order with the Move up and Move down buttons, or drag them."
    ),
    "instructions_flashcards": N_("Turn each card to see its back."),
    "blank_label": N_("Blank {n}"),
    "gap_label": N_("Gap {n}"),
    "choose": N_("Choose…"),
    "words_to_place": N_("Words to place"),
    "answers_to_match": N_("Answers to match"),
    "move_up": N_("Move up"),
    "move_down": N_("Move down"),
    "move_up_item": N_("Move up: {item}"),
    "move_down_item": N_("Move down: {item}"),
    "moved": N_("“{item}” is now in position {position} of {total}."),
    "feedback_right": N_("Well done, that is right!"),
    "feedback_partial": N_("Partly right."),
    "feedback_wrong": N_("That is not the right answer."),
    "score": N_("Score: {raw} out of {max}"),
    "mark_right": N_("right"),
    "mark_wrong": N_("wrong"),
    "mark_solution": N_("right answer"),
    "solution": N_("Solution: {answer}"),
    "solution_order": N_("The right order:"),
    "flip": N_("Turn the card"),
    "card_n": N_("Card {n} of {total}"),
    "previous_card": N_("Previous card"),
    "next_card": N_("Next card"),
    "front": N_("Front"),
    "back": N_("Back"),
    "cards_turned": N_("Cards turned: {n} of {total}"),
    "cards_done": N_("You have turned every card. Well done!"),
    "summary": N_("Your result"),
    "summary_score": N_("Score: {raw} out of {max} ({percent})"),
    "summary_answered": N_("Questions checked: {n} of {total}"),
    "passed": N_("Passed: well done!"),
    "not_passed": N_("Not passed yet: you need {percent} to pass."),
    "in_progress": N_("Check every question to see your result."),
    "cannot_play": N_("This grain cannot be played: {error}"),
}

# Written by render_standalone only, not by player.js.
NOSCRIPT = N_("This activity needs JavaScript. Please enable it to continue.")

RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "ps", "sd", "ug", "ur", "yi"})
PLAYER_FILES = ("player.js", "player.css")
_EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


def base_language(language: str | None) -> str:
    """``ar-TN`` -> ``ar``; empty -> the default language."""
    return (language or DEFAULT_LANGUAGE).split("-")[0].lower()


def ui_language(language: str | None) -> str:
    """The language of the player's interface: fr, en or ar; local languages fall back to fr."""
    base = base_language(language)
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def text_direction(language: str | None) -> str:
    """``rtl`` for Arabic (and other right-to-left scripts), else ``ltr``."""
    return "rtl" if base_language(language) in RTL_LANGUAGES else "ltr"


def player_strings(language: str | None = DEFAULT_LANGUAGE) -> dict[str, str]:
    """Every player string, translated for a grain in `language` (``options.strings``)."""
    gettext = translations(ui_language(language)).gettext
    return {key: gettext(message) for key, message in PLAYER_STRINGS.items()}


def player_static_dirs() -> list[Path]:
    """Folders that may hold the player, in the order they are tried.

    ``JUPYTER_PATH`` entries come first (``<entry>/player/static``), then the repo's
    ``templates/player/static`` and the installed ``share/jupyter/player/static``.
    """
    dirs = []
    for entry in os.environ.get("JUPYTER_PATH", "").split(os.pathsep):
        if entry.strip():
            path = Path(entry).expanduser()
            dirs.append(
                path if path.parts[-2:] == ("player", "static") else path / "player" / "static"
            )
    repo_root = Path(__file__).resolve().parents[1]
    dirs.append(repo_root / "templates" / "player" / "static")
    dirs.append(Path(sys.prefix) / "share" / "jupyter" / "player" / "static")
    return dirs


def player_assets() -> tuple[str, str]:
    """The player's JavaScript and CSS, from the first folder that holds both files."""
    tried = player_static_dirs()
    for folder in tried:
        if all((folder / name).is_file() for name in PLAYER_FILES):
            return tuple((folder / name).read_text(encoding="utf-8") for name in PLAYER_FILES)
    raise ImaginecoleError(
        "The player files (player.js, player.css) were not found in {paths}. "
        "Set JUPYTER_PATH to the templates/ folder of Imaginecole Studio.",
        paths=", ".join(str(p) for p in tried),
    )


_SHARED_CSS = re.compile(r"/\* shared \*/\n(.*?)/\* end shared \*/", re.DOTALL)


def shared_css(prefix: str) -> str:
    """The rules of player.css between ``/* shared */`` and ``/* end shared */``, its ``icp``
    prefix renamed `prefix`: the base (colours, type, focus, buttons) of another page that
    looks like the player, such as the comic reader (``icr``)."""
    _js, css = player_assets()
    return "\n".join(_SHARED_CSS.findall(css)).replace("icp", prefix)


def _script_json(value: Any) -> str:
    """JSON that cannot close its <script> element nor open an HTML comment."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\u0021--")


def _check_inline_media(inline_media: dict[str, str] | None) -> dict[str, str]:
    media = dict(inline_media or {})
    for path, url in media.items():
        if _EXTERNAL.match(url) and not url.lower().startswith(("data:", "blob:")):
            raise ImaginecoleError(
                "Media {path}: « {url} » is an address on another site. "
                "An offline page can only hold data: URLs or relative paths.",
                path=path,
                url=url[:80],
            )
    return media


_BOOT = """(function () {
  var read = function (id) { return JSON.parse(document.getElementById(id).textContent); };
  var config = read("imaginecole-config");
  var root = document.getElementById("imaginecole-player");
  ImaginecolePlayer.mount(root, read("imaginecole-grain"), {
    strings: config.strings, mediaBase: config.mediaBase, media: config.media,
    uiLanguage: config.uiLanguage
  });
}());"""

# No network: scripts, styles and media come from the page itself or its own folder.
_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'none'; base-uri 'none'; form-action 'none'"
)

# The start of every offline page (the player's, the comic reader's), to its <title>; the
# caller escapes the values (str.format here, markupsafe's Markup.format for a template).
PAGE_HEAD = """<!DOCTYPE html>
<html lang="{language}" dir="{direction}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="generator" content="Imaginecole Studio">
<title>{title}</title>
"""


def render_standalone(
    manifest: dict[str, Any],
    *,
    media_base: str = "./",
    inline_media: dict[str, str] | None = None,
    minify: bool = False,
    shell_script: str = "",
) -> str:
    """One self-contained HTML page that plays `manifest`, with no external address.

    `minify` shrinks the player for packages (a 10-question page stays under 60 KB);
    `shell_script` is inline JavaScript run after the player starts, for a shell that
    listens to the ``imaginecole:result`` event (SCORM, xAPI).

    `media_base` prefixes the manifest's ``media/<file>`` paths (the page sits next to the
    bundle's media/ folder by default). `inline_media` maps such a path to the URL that
    replaces it, typically a ``data:`` URL, for a single-file page.
    """
    js, css = player_assets()
    if minify:
        import rcssmin
        import rjsmin

        js, css = rjsmin.jsmin(js), rcssmin.cssmin(css)
    language = (manifest.get("metadata") or {}).get("language") or DEFAULT_LANGUAGE
    ui = ui_language(language)
    title = (manifest.get("metadata") or {}).get("title") or "Imaginecole"
    config = {
        "strings": player_strings(language),
        "mediaBase": media_base,
        "media": _check_inline_media(inline_media),
        "uiLanguage": ui,
    }
    noscript = translations(ui).gettext(NOSCRIPT)
    if "</script" in (js + shell_script).lower() or "</style" in css.lower():
        raise ValueError("player.js or player.css closes its own element")

    def attr(value: str) -> str:
        return html.escape(value, quote=False).replace('"', "&quot;")

    head = PAGE_HEAD.format(
        language=attr(language),
        direction=text_direction(language),
        csp=attr(_CSP),
        title=attr(title),
    )
    return f"""{head}<style>
{css}
</style>
</head>
<body class="icp-body-page">
<main id="imaginecole-player" class="icp" lang="{attr(language)}" dir="{text_direction(language)}">
<noscript><p lang="{ui}">{attr(noscript)}</p></noscript>
</main>
<script type="application/json" id="imaginecole-grain">{_script_json(manifest)}</script>
<script type="application/json" id="imaginecole-config">{_script_json(config)}</script>
<script>
{js}
</script>
<script>
{_BOOT}
</script>
{f"<script>{chr(10)}{shell_script}{chr(10)}</script>" if shell_script else ""}
</body>
</html>
"""
