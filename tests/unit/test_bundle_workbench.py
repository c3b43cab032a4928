"""« Créer une BD » and « Créer un podcast » alike: the first screen, create, back to the list,
open again, a title required, an Arabic title, copy an example as one's own, every string
translated. What only one of them does is in tests/unit/comic and tests/unit/podcast."""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from imaginecole.widgets.comic_workbench import ComicWorkbench
from imaginecole.widgets.podcast_workbench import PodcastWorkbench

from imaginecole.bundle import load_manifest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "notebooks" / "examples"


@dataclass(frozen=True)
class Kind:
    """One workbench and what its teacher sees and gets."""

    workbench: type
    folder: str  # the teacher's folder of this type
    slug: str  # the folder name of an Arabic title
    title: str
    made: str  # the folder named after `title`
    where: str  # the line naming the open bundle, in French
    no_title: str  # in English
    example: str
    content: str  # the manifest key that holds the bundle's content


KINDS = [
    Kind(
        ComicWorkbench,
        "comics",
        "bd",
        "Les couleurs",
        "les-couleurs",
        "BD\u00a0: « Les couleurs », dans le dossier comics/les-couleurs",
        "Write a title for the comic first.",
        "bd-maternelle-les-couleurs",
        "pages",
    ),
    Kind(
        PodcastWorkbench,
        "podcasts",
        "podcast",
        "La radio du CM2",
        "la-radio-du-cm2",
        "Podcast\u00a0: « La radio du CM2 », dans le dossier podcasts/la-radio-du-cm2",
        "Write a title for the podcast first.",
        "podcast-radio-ecole",
        "episodes",
    ),
]


@pytest.fixture(params=KINDS, ids=lambda k: k.folder)
def kind(request: pytest.FixtureRequest) -> Kind:
    return request.param


def folder_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_opens_on_the_choice_and_writes_nothing(kind: Kind, home: Path) -> None:
    workbench = kind.workbench(language="fr")
    assert workbench.body.children == (workbench.choose_panel,)
    assert workbench.no_bundle.layout.display is None  # « nothing yet »
    assert workbench.open_box.layout.display == "none"
    assert list(home.iterdir()) == []


def test_create_come_back_to_the_list_and_open_again(kind: Kind, home: Path) -> None:
    workbench = kind.workbench(language="fr")
    workbench.new_title.value = kind.title
    workbench.create_button.click()
    editor = workbench.editor
    assert editor is not None and workbench.body.children[-1] is editor
    folder = home / kind.folder / kind.made
    assert Path(workbench.bundle_dir) == folder
    manifest = load_manifest(folder)
    assert manifest["metadata"]["title"] == kind.title
    assert kind.where in workbench.bundle_line.value
    workbench.back_button.click()
    assert workbench.editor is None and workbench.bundle_dir == ""
    assert workbench.body.children == (workbench.choose_panel,)
    assert [e.title for e in workbench.entries] == [kind.title]
    assert workbench.open_box.layout.display is None
    workbench.open_button.click()
    assert Path(workbench.bundle_dir) == folder
    assert workbench.editor.manifest["id"] == manifest["id"]
    assert workbench.editor.title == kind.title


def test_an_arabic_title_gets_a_folder_name(kind: Kind, home: Path) -> None:
    workbench = kind.workbench(language="ar")
    assert workbench.create("يوم في السوق", language="ar") is not None
    assert Path(workbench.bundle_dir).name == kind.slug  # no ASCII letter to name the folder
    assert load_manifest(workbench.bundle_dir)["metadata"]["language"] == "ar"
    assert workbench.create("يوم في السوق", language="ar") is not None
    assert Path(workbench.bundle_dir).name == f"{kind.slug}-2"


def test_a_title_is_required(kind: Kind, home: Path) -> None:
    workbench = kind.workbench(language="en")
    workbench.new_title.value = "   "
    workbench.create_button.click()
    assert workbench.editor is None
    assert kind.no_title in workbench.create_errors.value
    assert not (home / kind.folder).exists()


def test_copy_an_example_as_ones_own(kind: Kind, home: Path) -> None:
    source = EXAMPLES / kind.example
    before = folder_digest(source)
    workbench = kind.workbench(language="fr")
    workbench.example_list.value = str(source)
    workbench.copy_button.click()
    copy = Path(workbench.bundle_dir)
    assert copy.parent == home / kind.folder
    assert workbench.editor is not None
    original, mine = load_manifest(source), load_manifest(copy)
    assert mine["id"] != original["id"]
    assert mine[kind.content] == original[kind.content]
    assert sorted(p.name for p in (copy / "media").iterdir()) == sorted(
        p.name for p in (source / "media").iterdir()
    )
    workbench.back()
    assert folder_digest(source) == before, "the example must stay as it was"


@pytest.mark.parametrize(
    ("module", "at_least"),
    [("comic_workbench.py", 16), ("podcast_workbench.py", 16), ("bundle_workbench.py", 3)],
)
def test_every_string_of_the_workbenches_is_in_french_and_arabic(
    module: str, at_least: int
) -> None:
    tree = ast.parse((REPO / "widgets" / module).read_text("utf-8"))
    ids = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (getattr(node.func, "id", None) or getattr(node.func, "attr", None)) == "_"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    assert len(ids) >= at_least
    for language in ("fr", "ar"):
        path = REPO / "imaginecole" / "locale" / language / "LC_MESSAGES" / "imaginecole.po"
        with path.open("rb") as fh:
            catalog = read_po(fh)
        missing = sorted(m for m in ids if m not in catalog or not catalog[m].string)
        assert missing == [], language
