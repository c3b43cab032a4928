"""What the comic reader and the podcast page share around their own content.

Both are one offline page from a template folder on the Jupyter data path (``templates/comic/``,
``templates/podcast/``). This module finds such a folder, translates the page's strings, reads
its script and its style (after the base it shares with the player), and gives the template the
shell of the page: the player's ``PAGE_HEAD`` (with the no-network Content-Security-Policy), the
title, description, authors and licence of the resource, and the scripts that end the page (the
exporter's shell first, so that it listens before the page's own script starts).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from imaginecole.i18n import translations

from .base import first_template_dir, installed_template_dirs


def template_dirs(name: str) -> list[Path]:
    """Folders that may hold the template folder `name`, in the order they are tried.

    The Jupyter data path first (``JUPYTER_PATH`` entries, then the user's and the system's
    ``share/jupyter``), each with `name`/ under it, then the repo's ``templates/<name>``.
    """
    from jupyter_core.paths import jupyter_path

    return [Path(p) for p in jupyter_path(name)] + installed_template_dirs(name)


def first_template(tried: list[Path], files: tuple[str, ...], missing: str) -> Path:
    """The first of the `tried` folders holding all the template `files`; else the
    ImaginecoleError `missing` (a message id given ``files`` and ``paths``)."""
    return first_template_dir(tried, files, missing, files=", ".join(files))


def translated(messages: dict[str, str], language: str | None) -> dict[str, str]:
    """`messages` (key -> English message id) translated for a resource in `language` (the
    interface's language: fr, en, ar; else fr)."""
    from imaginecole.player import ui_language

    gettext = translations(ui_language(language)).gettext
    return {key: gettext(message) for key, message in messages.items()}


def page_assets(folder: Path, stem: str, prefix: str, minify: bool) -> tuple[str, str]:
    """``<stem>.js``, and ``<stem>.css`` after the base it shares with the player (its class
    prefix `prefix`), from the template `folder`; minified for a package."""
    from imaginecole.player import shared_css

    js = (folder / f"{stem}.js").read_text("utf-8")
    css = shared_css(prefix) + "\n" + (folder / f"{stem}.css").read_text("utf-8")
    if minify:
        import rcssmin
        import rjsmin

        js, css = rjsmin.jsmin(js), rcssmin.cssmin(css)
    return js, css


def licence(code: str | None) -> tuple[str, str]:
    """(the name, its address or "") of a licence code."""
    from imaginecole.catalogue.labels import LICENCES

    return LICENCES.get(code or "", (code or "", ""))


def authors_text(manifest: dict[str, Any]) -> str:
    """The names of the resource's authors, comma separated."""
    meta = manifest.get("metadata") or {}
    return ", ".join(a["name"] for a in meta.get("authors") or [] if a.get("name"))


def page_shell(
    manifest: dict[str, Any],
    assets: tuple[str, str],
    shell_script: str,
    *,
    stem: str,
    direction: str,
    title: str,
) -> dict[str, Any]:
    """The template values every such page gets: ``head``, ``ui_lang``, ``title``,
    ``description``, ``css``, ``scripts``, ``authors`` and ``licence``.

    `assets` is (js, css) of ``<stem>.js`` and ``<stem>.css``; ValueError when one of them or
    `shell_script` would close its own element.
    """
    from markupsafe import Markup

    from imaginecole.player import _CSP, PAGE_HEAD, base_language, ui_language

    js, css = assets
    if "</script" in (js + shell_script).lower() or "</style" in css.lower():
        raise ValueError(f"{stem}.js, {stem}.css or the shell closes its own element")
    meta = manifest.get("metadata") or {}
    language = meta.get("language") or "fr"
    ui = ui_language(language)
    label, url = licence(meta.get("licence"))
    # the shell listens before the page's script starts (a one-panel comic completes at once)
    shell = f"<script>\n{shell_script}\n</script>\n" if shell_script else ""
    return {
        "head": Markup(PAGE_HEAD).format(
            language=language, direction=direction, csp=_CSP, title=title
        ),
        "ui_lang": Markup(f' lang="{ui}"') if ui != base_language(language) else "",
        "title": title,
        "description": meta.get("description") or "",
        "css": Markup(css),
        "scripts": Markup(f"{shell}<script>\n{js}\n</script>"),
        "authors": authors_text(manifest),
        "licence": {"label": label, "url": url},
    }
