"""A notebook app as one offline web page: the ``app-html`` exporter.

The app's notebook is run in a clean kernel (nbclient, ``store_widget_state=True``) and
converted by nbconvert with the ``app-html`` template (``templates/app-html/``, extending
nbconvert's "lab" one): the outputs without the code, as Voilà shows them, the widgets' last
state embedded, and the project's page around them (the player's no-network
Content-Security-Policy, title, description, what needs the live app, credits).

The widgets are drawn by ``@jupyter-widgets/html-manager``'s ``dist/embed.js``, inlined from
``node_modules`` (installed by ``npm ci``): no CDN, no require.js. Without a kernel, Python
callbacks do not run; links made in the browser (``widgets.jslink``) still move. Teacher
texts of the manifest are escaped by the template.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import Any

from imaginecole.i18n import N_

from . import page_shell
from .base import Bundle, Exporter, ExportError, write_output

TEMPLATE = "app-html"
TEMPLATE_FILES = ("conf.json", "index.html.j2")
HTML_MANAGER = Path("@jupyter-widgets") / "html-manager" / "dist" / "embed.js"
MISSING_TEMPLATE = N_(
    "The app page template ({files}) was not found in {paths}. "
    "Set JUPYTER_PATH to the templates/ folder of Imaginecole Studio."
)
PAGE_STRINGS: dict[str, str] = {
    "offline": N_("Offline version."),
    "snapshot": N_(
        "This page shows the app as it was when it was exported; the Python code does not run "
        "here, so only some controls react."
    ),
    "live_only": N_("These need the live app, on the hub:"),
    "authors_label": N_("By:"),
    "licence_label": N_("Licence:"),
    "made_with": N_("Made with Imaginecole Studio."),
}
# the widget manager compiles its JSON schemas with new Function(): 'unsafe-eval'
APP_CSP_SCRIPT = "script-src 'self' 'unsafe-inline' 'unsafe-eval'"
APP_CSS = """
.ica-body { margin: 0; background: #fff; color: #1a1a1a;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.ica-head, .ica-main, .ica-foot { max-width: 1100px; margin: 0 auto; padding: 0 1rem; }
.ica-head { padding-top: 1rem; }
.ica-title { font-size: 1.75rem; margin: 0.5rem 0; }
.ica-description { font-size: 1.1rem; margin: 0.25rem 0 0.75rem; }
.ica-offline { border-inline-start: 4px solid #268380; background: #eef7f6;
  padding: 0.5rem 1rem; margin: 0.5rem 0 1rem; }
.ica-offline p, .ica-offline ul { margin: 0.25rem 0; }
.ica-foot { border-top: 1px solid #ccc; margin-top: 2rem; padding-top: 0.5rem;
  padding-bottom: 1rem; font-size: 0.9rem; color: #444; }
.ica-foot a { color: #1a5fb4; }
.jp-InputPrompt, .jp-OutputPrompt, a.anchor-link, .jp-Collapser { display: none !important; }
.jp-mod-noOutputs.jp-mod-noInput { display: none; }
.jp-Cell { padding: 0; }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible,
textarea:focus-visible, [tabindex]:focus-visible {
  outline: 3px solid #1a5fb4; outline-offset: 2px; }
@media (max-width: 600px) {
  .ica-head, .ica-main, .ica-foot { padding: 0 0.5rem; }
  .ica-title { font-size: 1.4rem; }
  .jupyter-widgets { max-width: 100%; }
  .widget-hslider { width: 100% !important; }
  .jp-OutputArea-output svg, .jp-OutputArea-output img { max-width: 100%; height: auto; }
}
"""


def node_modules() -> list[Path]:
    """Where ``npm ci`` put the project's Node packages: ``IMAGINECOLE_NODE_MODULES``, else
    this checkout's node_modules/."""
    places = [Path(__file__).resolve().parents[1] / "node_modules"]
    if os.environ.get("IMAGINECOLE_NODE_MODULES"):
        places.insert(0, Path(os.environ["IMAGINECOLE_NODE_MODULES"]))
    return places


@functools.lru_cache(maxsize=1)
def widgets_js() -> str:
    """``@jupyter-widgets/html-manager``'s embed.js, safe to inline in a <script>."""
    for folder in node_modules():
        path = folder / HTML_MANAGER
        if path.is_file():
            js = path.read_text("utf-8")
            # no source map: the page asks for no other file
            js = re.sub(r"^//# sourceMappingURL=.*$", "", js, flags=re.M)
            # a "</script" inside a string would end the inline script early
            return js.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")
    raise ExportError(
        "The widget manager ({file}) was not found in {paths}: the offline app page needs "
        "it. Run « npm ci » in the Imaginecole Studio folder.",
        file=str(HTML_MANAGER),
        paths=", ".join(str(p) for p in node_modules()),
    )


def template_root() -> Path:
    """The folder holding ``app-html/`` (nbconvert looks for templates under it)."""
    folder = page_shell.first_template(
        page_shell.template_dirs(TEMPLATE), TEMPLATE_FILES, MISSING_TEMPLATE
    )
    return folder.parent


def page_values(manifest: dict[str, Any]) -> dict[str, Any]:
    """What the template reads as ``resources.ic``: the page head and the texts around."""
    from markupsafe import Markup

    from imaginecole.player import _CSP, PAGE_HEAD, base_language, text_direction, ui_language

    meta = manifest.get("metadata") or {}
    app = manifest.get("app") or {}
    language = meta.get("language") or "fr"
    ui = ui_language(language)
    title = meta.get("title") or ""
    csp = _CSP.replace("script-src 'self' 'unsafe-inline'", APP_CSP_SCRIPT)
    label, url = page_shell.licence(meta.get("licence"))
    return {
        "head": Markup(PAGE_HEAD).format(
            language=language, direction=text_direction(language), csp=csp, title=title
        ),
        "ui_lang": Markup(f' lang="{ui}"') if ui != base_language(language) else "",
        "title": title,
        "description": meta.get("description") or "",
        "live_only": [t for t in app.get("live_only") or [] if isinstance(t, str)],
        "authors": page_shell.authors_text(manifest),
        "licence": {"label": label, "url": url},
        "s": page_shell.translated(PAGE_STRINGS, language),
        "css": APP_CSS,
        "widgets_js": widgets_js(),
    }


def without_repeated_title(nb: Any, title: str) -> Any:
    """`nb` without the « # Title » line that opens its first markdown cell when it repeats
    the app's title (the page's header already shows it as its one <h1>)."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.lstrip("\n").split("\n")
        first = lines[0].strip()
        if first.startswith("# ") and first[2:].strip().casefold() == title.strip().casefold():
            cell.source = "\n".join(lines[1:]).lstrip("\n")
        break
    return nb


def render_app_page(nb: Any, manifest: dict[str, Any]) -> str:
    """The page of the executed notebook `nb` (its widget state in its metadata)."""
    from nbconvert import HTMLExporter

    nb = without_repeated_title(nb, str((manifest.get("metadata") or {}).get("title") or ""))

    exporter = HTMLExporter(
        template_name=TEMPLATE,
        extra_template_basedirs=[str(template_root())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        theme="light",
    )
    body, _resources = exporter.from_notebook_node(nb, resources={"ic": page_values(manifest)})
    return body


class AppHtmlExporter(Exporter):
    name = "app-html"
    extension = ".html"
    bundle_types = frozenset({"notebook-app"})
    option_names = frozenset({"timeout"})
    description = N_(
        "Offline web page of a notebook app (one file): its outputs and the widgets' last "
        "state, without running Python"
    )

    def export(self, bundle: Bundle, out: Path) -> Path:
        from imaginecole.app.check import (
            CheckError,
            CheckReport,
            read_notebook,
            run_notebook,
            run_problem,
        )

        manifest = bundle.manifest
        notebook = bundle.path / manifest["app"]["notebook"]
        nb = read_notebook(notebook)
        widgets_js()  # says « npm ci » before running anything
        timeout = float(self.options.get("timeout") or 120)
        try:
            executed, _seconds = run_notebook(nb, timeout=timeout, store_widget_state=True)
        except Exception as exc:  # the notebook's fault, named by cell
            report = CheckReport(notebook=notebook, problems=[run_problem(exc, nb, timeout)])
            raise CheckError(report) from None
        html = render_app_page(executed, manifest)
        return write_output(out, html.encode("utf-8"))


__all__ = ["AppHtmlExporter", "render_app_page", "widgets_js"]
