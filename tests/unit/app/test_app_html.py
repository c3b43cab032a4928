"""The ``app-html`` page around the notebook's outputs: the project's head (a CSP that allows
no request), the teacher's texts escaped, the widget manager inlined and no CDN anywhere."""

from __future__ import annotations

import json
import re

import nbformat
from imaginecole.exports import available, get_exporter
from imaginecole.exports.app_html import render_app_page
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from .notebooks import SAMPLE_APP


def manifest(**app) -> dict:
    data = json.loads((SAMPLE_APP / "manifest.json").read_text("utf-8"))
    data["metadata"]["title"] = "Fractions <script>alert(1)</script>"
    data["metadata"]["description"] = "A & B"
    data["app"].update(app)
    return data


def notebook():
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("# Titre du notebook"),
        new_code_cell(
            "secret_code = 42\nprint(secret_code)",
            outputs=[new_output("stream", text="42\n")],
        ),
    ]
    return nb


def test_the_page_escapes_teacher_texts_and_hides_the_code():
    page = render_app_page(notebook(), manifest(live_only=["<b>Le dessin</b> change"]))

    assert "<script>alert(1)</script>" not in page
    assert "Fractions &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Le dessin&lt;/b&gt; change" in page
    assert "A &amp; B" in page
    assert "secret_code = 42" not in page and "42" in page
    assert "Titre du notebook" in page


def test_the_page_loads_nothing_from_outside():
    page = render_app_page(notebook(), manifest())

    assert "connect-src 'none'" in page and "default-src 'none'" in page
    assert 'data-jupyter-widgets-cdn="./"' in page and "data-jupyter-widgets-cdn-only" in page
    for outside in ('src="http', "src='http", "require.min.js", "unpkg.com", "mathjax@"):
        assert outside not in page, outside
    assert "sourceMappingURL=embed.js.map" not in page
    assert re.search(r'<html (?=[^>]*lang="fr")(?=[^>]*dir="ltr")', page)


def test_the_exporter_is_registered_for_apps_only():
    assert "app-html" in available()
    exporter = get_exporter("app-html")

    assert exporter.bundle_types == frozenset({"notebook-app"})
    assert exporter.extension == ".html"


def test_an_arabic_app_page_is_right_to_left():
    data = manifest()
    data["metadata"]["language"] = "ar"

    page = render_app_page(nbformat.from_dict(notebook()), data)

    assert re.search(r'<html (?=[^>]*lang="ar")(?=[^>]*dir="rtl")', page)
    assert "نسخة غير متصلة." in page  # « Offline version. » in Arabic


def test_the_notebook_heading_that_repeats_the_title_is_shown_once():
    nb = notebook()
    nb.cells[0].source = "# Fractions <script>alert(1)</script>\n\nDéplace le curseur."

    page = render_app_page(nb, manifest())

    assert page.count("<h1") == 1 and "Déplace le curseur." in page
