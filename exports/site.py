"""`site`: a module or a parcours as an offline mini-site, ``<name>.site.zip``.

The zip holds ``index.html``, the sequence player (``templates/sequence/``: sequence.js and
sequence.css inlined), and each part at ``parts/<n>/index.html`` with its files beside it
(exports/parts.py): unzip it and open index.html from disk, nothing is fetched from elsewhere.
The player shows the title, introduction, objectives and duration, the contents (modules and
their parts, each part's state and score, locked modules with why), the current part in an
iframe, Previous / Next, a progress bar and a score summary; it applies each module's
completion rule and keeps the progress in the browser (localStorage, per sequence id).

- `site_files(seq, tracker=...)` is the whole mini-site as (name, data) entries, for this
  exporter, the SCORM 1.2 fallback (tracker "scorm12": the overall result also goes to the
  SCORM 1.2 API of the LMS) and the Kolibri zip of a module (tracker "memory").
- `preview_html(seq)` is ONE page for the composer's preview: the parts inlined as iframe
  ``srcdoc``, their media as data: URLs, the progress kept in memory only.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from imaginecole.i18n import N_, ImaginecoleError

from . import page_shell
from .base import Bundle, Exporter

TEMPLATE = "sequence"
TEMPLATE_FILES = ("sequence.html", "sequence.js", "sequence.css")
MISSING_TEMPLATE = N_(
    "The sequence player's template ({files}) was not found in {paths}. "
    "Set JUPYTER_PATH to the templates/ folder of Imaginecole Studio."
)
TRACKERS = ("local", "scorm12", "memory")
# the player's no-network policy, with the parts' frames (files of the site itself)
SITE_CSP_FRAMES = "frame-src 'self'; child-src 'self'"
# the preview: parts in srcdoc frames inherit this policy; an app page needs 'unsafe-eval'
PREVIEW_CSP_SCRIPT = "script-src 'self' 'unsafe-inline' 'unsafe-eval'"


def template_dir() -> Path:
    return page_shell.first_template(
        page_shell.template_dirs(TEMPLATE), TEMPLATE_FILES, MISSING_TEMPLATE
    )


def part_shell() -> str:
    """What every part page of a mini-site runs: the sandbox shell (a form is checked in a
    sandboxed iframe too) and the sequence shell (results go to the player)."""
    from .kolibri import kolibri_shell
    from .parts import sequence_shell

    return f"{kolibri_shell()}\n{sequence_shell()}"


def _module_data(seq: Any) -> list[dict[str, Any]]:
    """Each module: id, title, prerequisites, completion rule and its parts (no address)."""
    prerequisites = {}
    if seq.type == "parcours":
        prerequisites = {it.id: list(it.entry.get("prerequisites") or []) for it in seq.items}
    modules = []
    for manifest, _path, parts in seq.modules():
        body = manifest.get("module") or {}
        uid = str(manifest["id"])
        modules.append(
            {
                "id": uid,
                "title": str((manifest.get("metadata") or {}).get("title") or ""),
                "prerequisites": prerequisites.get(uid, []),
                "completion": dict(body.get("completion") or {"rule": "all"}),
                "parts": [
                    {"key": f"{uid}/{p.id}", "id": p.id, "type": p.type, "title": p.title}
                    for p in parts
                ],
            }
        )
    return modules


def _duration(strings: dict[str, str], minutes: Any) -> str:
    if not isinstance(minutes, int) or minutes <= 0:
        return ""
    return strings["duration"].replace("{minutes}", str(minutes))


def render_index(
    seq: Any,
    modules: list[dict[str, Any]],
    *,
    tracker: str,
    scorm: bool,
    csp: str,
    minify: bool = True,
) -> str:
    """The player page of `seq`, its `modules` data (each part with ``src`` or ``srcdoc``)."""
    from markupsafe import Markup

    from imaginecole.player import (
        PAGE_HEAD,
        _script_json,
        base_language,
        text_direction,
        ui_language,
    )
    from imaginecole.sequence import sanitize_sequence
    from imaginecole.sequence.strings import sequence_strings

    from .worksheet import _environment

    folder = template_dir()
    js, css = page_shell.page_assets(folder, "sequence", "ics", minify)
    scorm_js = scorm_shell(seq) if scorm else ""
    if "</script" in (js + scorm_js).lower() or "</style" in css.lower():
        raise ValueError("sequence.js, sequence.css or the SCORM shell closes its own element")
    manifest = sanitize_sequence(seq.manifest)
    meta = manifest.get("metadata") or {}
    language = meta.get("language") or "fr"
    ui = ui_language(language)
    strings = sequence_strings(language)
    body = manifest.get(seq.type) or {}
    title = str(meta.get("title") or "Imaginecole")
    data = {
        "id": str(manifest["id"]),
        "kind": seq.type,
        "title": title,
        "ui": ui,
        "tracker": "local" if tracker in ("local", "scorm12") else "memory",
        "scorm": bool(scorm),
        "strings": strings,
        "modules": modules,
    }
    home_modules = []
    if seq.type == "parcours":
        for item in seq.items:
            module = sanitize_sequence(item.manifest)
            mbody = module.get("module") or {}
            home_modules.append(
                {
                    "id": item.id,
                    "title": item.title,
                    "introduction": Markup(mbody.get("introduction") or ""),
                    "objectives": [str(o) for o in mbody.get("objectives") or []],
                    "duration": _duration(strings, mbody.get("duration_minutes")),
                }
            )
    scripts = ""
    if scorm_js:
        scripts += f"<script>\n{scorm_js}\n</script>\n"
    scripts += f"<script>\n{js}\n</script>"
    head = Markup(PAGE_HEAD).format(
        language=language, direction=text_direction(language), csp=csp, title=title
    )
    return (
        _environment(folder)
        .get_template("sequence.html")
        .render(
            head=head,
            ui_lang=Markup(f' lang="{ui}"') if ui != base_language(language) else "",
            css=Markup(css),
            s=strings,
            kind=seq.type,
            kind_label=strings["parcours" if seq.type == "parcours" else "module"],
            title=title,
            introduction=Markup(body.get("introduction") or ""),
            objectives=[str(o) for o in body.get("objectives") or []],
            duration=_duration(strings, body.get("duration_minutes")),
            modules=home_modules,
            data_json=Markup(_script_json(data)),
            scripts=Markup(scripts),
        )
    )


def scorm_shell(seq: Any) -> str:
    """The SCORM 1.2 shell of the player page: it reports the whole module's (parcours')
    completion and score (a module's "score" rule is its pass mark), and keeps the learner's
    progress in the LMS's suspend data."""
    from .scorm import runtime_script

    completion = {}
    if seq.type == "module":
        completion = (seq.manifest.get("module") or {}).get("completion") or {}
    scored = completion.get("rule") == "score"
    config = {
        "version": "1.2",
        "passMark": float(completion.get("score", 0.5)) if scored else 0.5,
        "scored": scored,
        # the learner's progress goes to the LMS (cmi.suspend_data) and comes back from it
        "suspend": True,
    }
    return f"{runtime_script()}\nImaginecoleScorm.start({json.dumps(config, sort_keys=True)});"


def _csp(extra_script: str | None = None) -> str:
    from imaginecole.player import _CSP

    csp = f"{_CSP}; {SITE_CSP_FRAMES}"
    if extra_script:
        csp = csp.replace("script-src 'self' 'unsafe-inline'", extra_script)
    return csp


def _check_tracker(tracker: str) -> None:
    if tracker not in TRACKERS:
        raise ImaginecoleError(
            "Unknown progress tracker « {tracker} »: use one of {trackers}.",
            tracker=tracker,
            trackers=", ".join(TRACKERS),
        )


def mini_site(
    seq: Any, *, storage: str = "local", scorm: bool = False
) -> list[tuple[str, bytes | Path]]:
    """The mini-site's entries; `storage` "local" or "memory", `scorm` adds the SCORM 1.2
    shell to the player page."""
    from .parts import part_files

    shell = part_shell()
    modules = _module_data(seq)
    entries: list[tuple[str, bytes | Path]] = []
    n = 0
    for module, (_manifest, _path, parts) in zip(modules, seq.modules(), strict=True):
        for data, item in zip(module["parts"], parts, strict=True):
            n += 1
            prefix = f"parts/{n}/"
            data["src"] = f"{prefix}index.html"
            bundle = Bundle(path=item.path, manifest=item.manifest)
            entries += [(prefix + name, content) for name, content in part_files(bundle, shell)]
    tracker = "scorm12" if scorm and storage == "local" else storage
    index = render_index(seq, modules, tracker=tracker, scorm=scorm, csp=_csp())
    return [("index.html", index.encode("utf-8")), *entries]


def site_files(seq: Any, *, tracker: str = "local") -> list[tuple[str, bytes | Path]]:
    """The whole mini-site of the module or parcours `seq` (imaginecole.sequence.resolve):
    ``index.html`` (the sequence player) and ``parts/<n>/index.html`` with their files.

    `tracker`: "local" keeps the progress in localStorage (memory when the browser refuses
    it), "scorm12" also reports the overall completion and score to the SCORM 1.2 API found
    in a parent window, "memory" keeps nothing once the page is closed.
    """
    _check_tracker(tracker)
    if tracker == "scorm12":
        return mini_site(seq, storage="local", scorm=True)
    return mini_site(seq, storage=tracker)


def _data_url(data: bytes, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"


def inline_part(bundle: Bundle, shell: str) -> str:
    """One part as one HTML string, its media as data: URLs (for the preview)."""
    if bundle.type == "comic":
        from .comic_html import render_reader, sound_paths
        from .comic_pages import prepare

        manifest = prepare(bundle)
        sounds = {
            p: _data_url(bundle.media_bytes(p), bundle.media_type(p)) for p in sound_paths(manifest)
        }
        return render_reader(manifest, bundle.path, sounds=sounds, shell_script=shell)
    if bundle.type == "podcast":
        from .podcast_html import page_files

        page, _beside = page_files(bundle, inline=True, shell_script=shell)
        return page
    if bundle.type == "notebook-app":
        from .parts import app_page

        return app_page(bundle, shell)
    from .html import page

    media = {
        p: _data_url(bundle.media_bytes(p), bundle.media_type(p)) for p in bundle.media_paths()
    }
    return page(bundle, media=media, shell_script=shell)


def preview_html(seq: Any) -> str:
    """ONE self-contained page of the module or parcours `seq` for the composer's preview:
    the sequence player, each part inlined as an iframe ``srcdoc`` (its media as data: URLs),
    the progress kept in memory only."""
    shell = part_shell()
    modules = _module_data(seq)
    for module, (_manifest, _path, parts) in zip(modules, seq.modules(), strict=True):
        for data, item in zip(module["parts"], parts, strict=True):
            bundle = Bundle(path=item.path, manifest=item.manifest)
            data["srcdoc"] = inline_part(bundle, shell)
    return render_index(
        seq, modules, tracker="memory", scorm=False, csp=_csp(PREVIEW_CSP_SCRIPT), minify=False
    )


class SiteExporter(Exporter):
    name = "site"
    extension = ".site.zip"
    bundle_types = frozenset({"module", "parcours"})
    description = N_(
        "Offline mini-site of a module or parcours (zip: open index.html; navigation, "
        "progress kept in the browser, score summary)"
    )

    def export(self, bundle: Bundle, out: Path) -> Path:
        from imaginecole.sequence import resolve

        from .archive import write_zip

        entries = site_files(resolve(bundle.path))
        stored = [name for name, _data in entries if name.endswith((".mp3", ".png", ".jpg"))]
        return write_zip(out, entries, stored=stored)


__all__ = ["SiteExporter", "preview_html", "site_files"]
