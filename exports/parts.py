"""One part of a module (a grain, a comic, a podcast or a notebook app) as an offline page.

`part_files` gives a part as ``index.html`` and the files beside it (media, sounds, MP3s), every
name relative, nothing fetched from elsewhere: the Kolibri zip of a grain is exactly that, and
the offline mini-site of a module (exports/site.py) puts each part under ``parts/<n>/``.

- a grain: the player's standalone page (exports/html.py ``page``), its media under ``media/``;
- a comic: the comic reader (exports/comic_html.py), its sounds beside it;
- a podcast: its page (exports/podcast_html.py), the MP3s and the cover beside it;
- a notebook app: its ``app-html`` page (exports/app_html.py: the notebook run once, its
  widgets' last state embedded), with the shell added before ``</body>``.

`sequence_shell` is the script a part page runs inside the sequence player: it forwards the
page's ``imaginecole:result`` events to the player's window (``postMessage``), tells it the
page's height, and says an app page is completed as soon as it is opened.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from .base import Bundle

ENTRY = "index.html"

SEQUENCE_SHELL = r"""
/* Imaginecole sequence shell: a part page inside the sequence player (exports/site.py) sends
   its results to the player's window; without a player around it (opened alone) it does
   nothing. No network, no storage. */
(function () {
  'use strict';
  var parent = null;
  try { parent = window.parent !== window ? window.parent : null; } catch (error) { parent = null; }
  if (!parent) return;
  function post(type, detail) {
    try {
      parent.postMessage({source: 'imaginecole', type: type, detail: detail}, '*');
    } catch (error) { /* the player is gone: nothing to tell */ }
  }
  function number(value) {
    return typeof value === 'number' && isFinite(value) ? value : 0;
  }
  window.addEventListener('imaginecole:result', function (event) {
    var d = event && event.detail;
    if (!d) return;
    post('result', {
      raw: number(d.raw), max: number(d.max), scaled: number(d.scaled),
      completion: d.completion === 'completed' ? 'completed' : 'incomplete',
      success: Boolean(d.success), answered: number(d.answered), total: number(d.total)
    });
  });
  var lastHeight = 0;
  function height() {
    var body = document.body;
    var h = document.documentElement.scrollHeight;
    h = Math.ceil(Math.max(h, body ? body.scrollHeight : 0));
    if (h && Math.abs(h - lastHeight) > 2) {
      lastHeight = h;
      post('height', {height: h});
    }
  }
  window.addEventListener('load', height);
  if (typeof ResizeObserver === 'function') {
    try { new ResizeObserver(height).observe(document.documentElement); } catch (error) { /* */ }
  }
  setTimeout(height, 0);
  // a notebook app has nothing to answer: opening it completes it
  if (document.querySelector('.ica-body')) {
    var done = {raw: 0, max: 0, scaled: 1, completion: 'completed', success: true,
      answered: 0, total: 0};
    setTimeout(function () {
      window.dispatchEvent(new CustomEvent('imaginecole:result', {detail: done}));
    }, 0);
  }
}());
"""


def sequence_shell() -> str:
    """The script a part page runs so that its results reach the sequence player
    (``{source: "imaginecole", type: "result", detail}`` posted to the parent window)."""
    return SEQUENCE_SHELL


def part_files(bundle: Bundle, shell_script: str) -> list[tuple[str, bytes | Path]]:
    """The part `bundle` as ``index.html`` (with `shell_script` run in it) and the files
    beside it, relative names; nothing is fetched from elsewhere.

    A podcast's MP3s are built (ffmpeg) if they are not yet; an app's notebook is run once in
    a clean kernel (ExportError / CheckError when it cannot be).
    """
    if bundle.type == "comic":
        from .comic_html import kolibri_entries

        return kolibri_entries(bundle, shell_script)
    if bundle.type == "podcast":
        from .podcast_html import kolibri_entries

        return kolibri_entries(bundle, shell_script)
    if bundle.type == "notebook-app":
        return [(ENTRY, app_page(bundle, shell_script).encode("utf-8"))]
    from .html import page

    index = page(bundle, media=None, shell_script=shell_script)
    entries: list[tuple[str, bytes | Path]] = [(ENTRY, index.encode("utf-8"))]
    entries += [(p, bundle.media_bytes(p)) for p in bundle.media_paths()]
    return entries


def app_page(bundle: Bundle, shell_script: str = "", *, timeout: float = 120) -> str:
    """The ``app-html`` page of the notebook app `bundle`, `shell_script` run at its end."""
    html = _app_page(str(bundle.path), _app_key(bundle), timeout)
    if not shell_script:
        return html
    if "</script" in shell_script.lower():
        raise ValueError("the shell closes its own element")
    script = f"<script>\n{shell_script}\n</script>\n"
    at = html.lower().rfind("</body>")
    return html[:at] + script + html[at:] if at >= 0 else html + script


def _app_key(bundle: Bundle) -> str:
    """What the page depends on: the manifest and the notebook's bytes."""
    digest = hashlib.sha256(json.dumps(bundle.manifest, sort_keys=True).encode())
    notebook = bundle.path / bundle.manifest["app"]["notebook"]
    digest.update(notebook.read_bytes())
    return digest.hexdigest()


@functools.lru_cache(maxsize=8)
def _app_page(folder: str, key: str, timeout: float) -> str:
    """The app page, run once per content (a module and its preview share it)."""
    from imaginecole.app.check import (
        CheckError,
        CheckReport,
        read_notebook,
        run_notebook,
        run_problem,
    )

    from .app_html import render_app_page, widgets_js

    bundle = Bundle.load(folder)
    manifest = bundle.manifest
    notebook = bundle.path / manifest["app"]["notebook"]
    nb = read_notebook(notebook)
    widgets_js()  # says « npm ci » before running anything
    try:
        executed, _seconds = run_notebook(nb, timeout=timeout, store_widget_state=True)
    except Exception as exc:  # the notebook's fault, named by cell
        report = CheckReport(notebook=notebook, problems=[run_problem(exc, nb, timeout)])
        raise CheckError(report) from None
    return render_app_page(executed, manifest)


__all__ = ["ENTRY", "app_page", "part_files", "sequence_shell"]
