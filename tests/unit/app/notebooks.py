"""Small notebooks for the app tests, written with nbformat."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

REPO = Path(__file__).resolve().parents[3]
SAMPLE_APP = REPO / "notebooks" / "examples" / "app-fractions"


def write_notebook(path: Path, *cells: str, markdown: str = "# Mon application") -> Path:
    """A python3 notebook at `path`: a markdown cell, then one code cell per string."""
    nb = new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    nb.cells = [new_markdown_cell(markdown), *(new_code_cell(source) for source in cells)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


SLIDER_APP = (
    "import ipywidgets as widgets\nimport numpy as np",
    "curseur = widgets.IntSlider(value=2, min=0, max=5, description='Nombre')\n"
    "carre = widgets.Label(value=str(int(np.square(curseur.value))))\n"
    "curseur.observe(lambda c: setattr(carre, 'value', str(c['new'] ** 2)), names='value')\n"
    "widgets.VBox([curseur, carre])",
)
