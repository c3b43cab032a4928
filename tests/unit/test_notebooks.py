"""Workbench notebooks: outputs stripped in git, known to the launcher, in both languages."""

import json
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"
ALL = sorted(NOTEBOOKS.glob("*/*.ipynb"))


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_outputs_are_stripped(path):
    nb = json.loads(path.read_text("utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path.name}: outputs left in a cell"
            assert cell["execution_count"] is None


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_workbench_says_what_it_is(path):
    meta = json.loads(path.read_text("utf-8"))["metadata"].get("imaginecole", {})
    assert meta.get("kind") in {"launcher", "workbench", "example"}, path.name
    if meta["kind"] == "workbench":
        assert meta.get("title") and meta.get("description")


def test_french_and_english_have_the_same_workbenches():
    def kinds(lang):
        return sorted(
            json.loads(p.read_text("utf-8"))["metadata"]["imaginecole"].get("order", -1)
            for p in (NOTEBOOKS / lang).glob("*.ipynb")
        )

    assert kinds("fr") == kinds("en") and kinds("fr")
