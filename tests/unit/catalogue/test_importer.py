"""Bulk import of a delivery into a real catalogue (SQLite in a temporary data folder).

The delivery holds real packages made by the project's exporters, bundle folders
and zips, foreign-looking packages and bad items; its metadata CSV has bad rows.
"""

from __future__ import annotations

import csv
import json
import shutil
import uuid
from pathlib import Path

import pytest

from imaginecole.catalogue.import_metadata import read_metadata_csv
from imaginecole.catalogue.importer import NAMESPACE, import_delivery
from imaginecole.catalogue.model import ANONYMOUS, PUBLISHED, principal_for_role
from imaginecole.catalogue.packages import inspect_package
from imaginecole.catalogue.service import Catalogue, NotFound, PermissionDenied
from imaginecole.cli import main
from imaginecole.i18n import ImaginecoleError

from .test_packages import FIXTURES, GRAINS, export_packages, minimal_h5p, write_zip, zip_folder

EDITOR = principal_for_role("import", "editor")
HEADER = "file;title;description;language;country;level;subject;licence;authors;keywords;event"
GOOD_H5P = [f"h5p/fractions-{n:02}.h5p" for n in range(1, 9)]
GOOD = [
    *GOOD_H5P,
    "h5p/accords.h5p",
    "scorm/formes-12.zip",
    "scorm/formes-2004.zip",
    "scorm/pizza.zip",
    "bundles/single_choice",
    "bundles/true_false.zip",
    "bundles/multiple_choice",
]
BAD_ITEMS = {  # file -> (CSV row or None, what the English reason says)
    "bad/slip.zip": (17, "would land outside"),
    "bad/bomb.h5p": (18, "zip bomb"),
    "bad/fake.h5p": (19, "not a zip archive"),
    "h5p/atlantide.h5p": (26, "unknown country « Atlantide »"),
    "h5p/bad-level.h5p": (27, "is not a level of the SN curriculum"),
    "h5p/no-licence.h5p": (28, "no licence"),
    "h5p/reprise-01.h5p": (29, "the same resource as « h5p/fractions-01.h5p »"),
}
BAD_ROWS = {  # CSV rows without an item of their own
    30: ("h5p/missing.h5p", "is not in the delivery"),
    31: ("h5p/fractions-02.h5p", "already described at row 3"),
}


def row(file: str, title: str, **values: str) -> str:
    cells = {
        "description": f"Description de « {title} » : <em>partager</em> en parts égales.",
        "language": "fr",
        "country": "Sénégal",
        "level": "CM1",
        "subject": "Mathématiques",
        "licence": "CC BY 4.0",
        "authors": "Awa Diallo|Moussa Traoré",
        "keywords": "fractions, partage",
        "event": "Hackathon Dakar 2026",
        **values,
    }
    columns = HEADER.split(";")[2:]
    return ";".join([file, title, *(cells[c] for c in columns)])


def make_delivery(folder: Path, exported: dict[str, Path]) -> Path:
    """24 things to do: 15 good items, 7 bad items, 2 bad rows; and a note to ignore."""
    h5p, delivery = exported["h5p"], folder / "livraison"
    for sub in ("h5p", "scorm", "bundles", "bad"):
        (delivery / sub).mkdir(parents=True)
    for name in GOOD_H5P + ["h5p/atlantide.h5p", "h5p/bad-level.h5p", "h5p/reprise-01.h5p"]:
        shutil.copyfile(h5p, delivery / name)
    zip_folder(FIXTURES / "h5p_foreign", delivery / "h5p" / "accords.h5p")
    shutil.copyfile(exported["scorm12"], delivery / "scorm" / "formes-12.zip")
    shutil.copyfile(exported["scorm2004"], delivery / "scorm" / "formes-2004.zip")
    zip_folder(FIXTURES / "scorm12_foreign", delivery / "scorm" / "pizza.zip")
    shutil.copytree(GRAINS / "single_choice", delivery / "bundles" / "single_choice")
    zip_folder(GRAINS / "true_false", delivery / "bundles" / "true_false.zip", "true_false/")
    shutil.copytree(GRAINS / "multiple_choice", delivery / "bundles" / "multiple_choice")
    no_licence = {"title": "Sans licence", "mainLibrary": "H5P.Blanks", "license": "U"}
    write_zip(
        delivery / "h5p" / "no-licence.h5p",
        {"h5p.json": json.dumps(no_licence).encode(), "content/content.json": b"{}"},
    )
    minimal_h5p(delivery / "bad" / "slip.zip", **{"../../escape.js": b"alert(1)"})
    minimal_h5p(delivery / "bad" / "bomb.h5p", **{"content/zeros.bin": bytes(8 << 20)})
    (delivery / "bad" / "fake.h5p").write_text("<html>pas un paquet</html>")
    (delivery / "LISEZMOI.txt").write_text("Livraison de l'atelier de Dakar.")
    lines = [HEADER]
    lines += [row(name, f"Fractions {n:02}") for n, name in enumerate(GOOD_H5P, 1)]  # rows 2-9
    lines += [
        row("h5p/accords.h5p", "", subject="Français", keywords=""),  # title from h5p.json
        row("scorm/formes-12.zip", "Formes (SCORM 1.2)", level="ce1"),
        row("scorm/formes-2004.zip", "Formes (SCORM 2004)", level="ce1"),
        row("./scorm/pizza.zip", "Pizza et fractions"),
        row("bundles/single_choice", "Les formes géométriques", level="ce1"),
        row("bundles/true_false.zip", "Vrai ou faux", level="ce2", subject="francais"),
        row("bundles\\multiple_choice", "Plusieurs réponses", level="ce1", subject="anglais"),
    ]  # rows 10-16
    lines += [row(f"bad/{n}", f"Mauvais {n}") for n in ("slip.zip", "bomb.h5p", "fake.h5p")]
    lines += ["", ";;;;;;;;;;"] + [""] * 4  # blank lines keep their row numbers (20-25)
    lines += [
        row("h5p/atlantide.h5p", "Atlantide", country="Atlantide"),  # 26
        row("h5p/bad-level.h5p", "Mauvais niveau", level="terminale Z"),  # 27
        row("h5p/no-licence.h5p", "Sans licence", licence=""),  # 28
        row("h5p/reprise-01.h5p", "Fractions 01"),  # 29: the same as row 2
        row("h5p/missing.h5p", "Absent"),  # 30
        row("h5p/fractions-02.h5p", "Encore 02"),  # 31
    ]
    # Excel in French: Windows-1252 and semicolons
    (delivery / "metadata.csv").write_bytes("\r\n".join(lines).encode("cp1252"))
    return delivery


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, Path]:
    return export_packages(tmp_path_factory.mktemp("exported"))


@pytest.fixture
def delivery(tmp_path, exported) -> Path:
    return make_delivery(tmp_path, exported)


@pytest.fixture
def catalogue(tmp_path):
    cat = Catalogue.open(tmp_path / "data")
    yield cat
    cat.close()


def package_uid(delivery: Path, name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{inspect_package(delivery / name).sha256}:{name}"))


def all_resources(catalogue: Catalogue) -> list:
    return catalogue.submissions(EDITOR)


# -- the metadata CSV ------------------------------------------------------------------------


def test_the_csv_reads_excel_french_headings_and_keeps_row_numbers(tmp_path):
    text = (
        "Fichier;Titre;Langue;Pays;Niveau;Matière;Licence;Auteurs;Mots-clés;Événement\r\n"
        "a.h5p;Les fractions;fr;Côte d'Ivoire;CM1;Mathématiques;CC-BY-SA-4.0;"
        "Awa Diallo;fractions|partage;Atelier\r\n"
        "\r\n"
        "b.h5p;Deux;xx-;Wakanda;;;GPL;;;\r\n"
        "a.h5p;Encore;;;;;;;;\r\n"
    )
    path = tmp_path / "meta.csv"
    path.write_bytes(text.encode("cp1252"))
    first, second, third = read_metadata_csv(path)
    assert (first.number, second.number, third.number) == (2, 4, 5)
    assert first.metadata == {
        "title": "Les fractions",
        "language": "fr",
        "country": "CI",
        "level": "CM1",
        "subject": "Mathématiques",
        "licence": "CC-BY-SA-4.0",
        "authors": [{"name": "Awa Diallo"}],
        "keywords": ["fractions", "partage"],
        "event": "Atelier",
    }
    assert not first.problems
    reasons = [p.render("en") for p in second.problems]
    assert any("« xx- » is not a language code" in r for r in reasons)
    assert any("unknown country « Wakanda »" in r for r in reasons)
    assert any("unknown licence « GPL »" in r for r in reasons)
    assert "already described at row 2" in third.problems[0].render("en")
    assert "déjà décrit à la ligne 2" in third.problems[0].render("fr")


def test_a_csv_with_an_unknown_column_is_refused_whole(tmp_path):
    path = tmp_path / "meta.csv"
    path.write_text("file,title,licnce\na.h5p,A,CC0-1.0\n", "utf-8")
    with pytest.raises(ImaginecoleError, match="licnce") as info:
        read_metadata_csv(path)
    assert "[en]" in str(info.value) and "meta.csv" in str(info.value)


# -- importing -------------------------------------------------------------------------------


def test_a_delivery_is_imported_with_its_csv_metadata_and_rejects_reported(
    delivery, catalogue, tmp_path
):
    seen = []
    report = import_delivery(
        catalogue,
        delivery,
        EDITOR,
        state=PUBLISHED,
        progress=lambda done, total, label: seen.append((done, total)),
    )
    assert report.total == len(GOOD) + len(BAD_ITEMS) + len(BAD_ROWS) == 24
    assert seen == [(n, 24) for n in range(1, 25)]
    assert sorted(f for f, _ in report.imported) == sorted(GOOD)
    rejected = {r.file: r for r in report.rejected}
    assert set(rejected) == set(BAD_ITEMS) | {f for f, _ in BAD_ROWS.values()}
    for name, (number, why) in BAD_ITEMS.items():
        assert rejected[name].row == number and why in rejected[name].render("en"), name
    for number, (name, why) in BAD_ROWS.items():
        found = [r for r in report.rejected if r.row == number]
        assert found and found[0].file == name and why in found[0].render("en")
    assert "bombe zip" in rejected["bad/bomb.h5p"].render("fr")

    # public, searchable, with the metadata of the CSV
    assert catalogue.count() == len(GOOD)
    found = catalogue.search("fraction", per_page=50)
    assert {r.title for r in found.items} >= {f"Fractions {n:02}" for n in range(1, 9)}
    assert dict(found.facets["country"]) == {"SN": found.total}
    one = catalogue.get(package_uid(delivery, "h5p/fractions-03.h5p"))
    assert (one.type, one.kind, one.title) == ("h5p", "H5P.MultiChoice", "Fractions 03")
    assert (one.country, one.level, one.subject) == ("SN", "cm1", "mathematiques")
    assert one.licence == "CC-BY-4.0" and one.event == "Hackathon Dakar 2026"
    assert one.authors == ["Awa Diallo", "Moussa Traoré"]
    assert one.keywords == ["fractions", "partage"]
    assert one.description == "Description de « Fractions 03 » : partager en parts égales."
    assert one.published.file("h5p").filename == "fractions-03.h5p"
    accords = catalogue.get(package_uid(delivery, "h5p/accords.h5p"))
    assert accords.title == "Les accords du participe"  # the CSV left it to the package
    assert accords.subject == "francais"
    scorm = catalogue.get(package_uid(delivery, "scorm/formes-2004.zip"))
    assert scorm.type == "scorm" and scorm.published.file("scorm2004") is not None
    assert catalogue.get(package_uid(delivery, "scorm/pizza.zip")).published.file("scorm12")
    bundle = catalogue.get("0b8f3a52-5d2e-4c1b-9a57-3e1f6c2d9a01")
    assert (bundle.type, bundle.title, bundle.level) == ("grain", "Les formes géométriques", "ce1")
    assert bundle.published.file("bundle") is not None and bundle.published.file("h5p")
    by_type = dict(catalogue.search(per_page=1).facets["type"])
    assert by_type == {"h5p": 9, "scorm": 3, "grain": 3}

    # nothing half-created for the rejected items
    for name in ("h5p/atlantide.h5p", "h5p/bad-level.h5p", "h5p/no-licence.h5p"):
        with pytest.raises(NotFound):
            catalogue.get(package_uid(delivery, name), EDITOR)
    assert len(all_resources(catalogue)) == len(GOOD)

    # the report, bilingual, in CSV and Markdown
    csv_path, md_path = report.write(tmp_path / "rapport")
    rows = list(csv.DictReader(csv_path.read_text("utf-8-sig").splitlines()))
    assert len(rows) == 9
    atl = next(r for r in rows if r["file"] == "h5p/atlantide.h5p")
    assert atl["row"] == "26" and "pays inconnu « Atlantide »" in atl["reason_fr"]
    assert "unknown country « Atlantide »" in atl["reason_en"]
    markdown = md_path.read_text("utf-8")
    assert "| 26 | h5p/atlantide.h5p |" in markdown and "Rapport d'import" in markdown
    assert "15 importé(s)" in markdown and "15 imported" in markdown


class Stop(Exception):
    pass


def test_an_interrupted_import_resumes_without_duplicates(delivery, catalogue, tmp_path):
    zipped = zip_folder(delivery, tmp_path / "livraison.zip", "livraison/")

    def stop_after(n):
        def progress(done, total, label):
            if done == n:
                raise Stop(label)

        return progress

    with pytest.raises(Stop):
        import_delivery(catalogue, zipped, EDITOR, progress=stop_after(12))
    first = all_resources(catalogue)
    assert 0 < len(first) < len(GOOD)
    assert all(r.state == "submitted" for r in first)  # by default, to the review queue
    assert catalogue.count() == 0

    report = import_delivery(catalogue, zipped, EDITOR)
    assert len(report.skipped) == len(first)
    assert len(report.imported) == len(GOOD) - len(first)
    resources = all_resources(catalogue)
    assert sorted(r.uid for r in resources) == sorted(set(r.uid for r in resources))
    assert len(resources) == len(GOOD) and all(r.versions == 1 for r in resources)
    assert len(catalogue.review_queue(EDITOR)) == len(GOOD)

    # again: nothing changes, even without the journal (the version notes say it)
    again = import_delivery(catalogue, zipped, EDITOR)
    assert (len(again.imported), len(again.skipped), len(again.rejected)) == (0, len(GOOD), 9)
    again.journal.unlink()
    again = import_delivery(catalogue, zipped, EDITOR)
    assert (len(again.imported), len(again.skipped)) == (0, len(GOOD))
    after = {r.uid: (r.versions, r.datestamp) for r in all_resources(catalogue)}
    assert after == {r.uid: (r.versions, r.datestamp) for r in resources}


def test_a_corrected_row_makes_a_new_version_of_that_item_only(delivery, catalogue):
    import_delivery(catalogue, delivery, EDITOR)
    csv_path = delivery / "metadata.csv"
    text = csv_path.read_bytes().decode("cp1252").replace("Fractions 05", "Fractions cinq")
    csv_path.write_bytes(text.encode("cp1252"))
    report = import_delivery(catalogue, delivery, EDITOR)
    assert report.imported == [
        ("h5p/fractions-05.h5p", package_uid(delivery, "h5p/fractions-05.h5p"))
    ]
    changed = catalogue.get(package_uid(delivery, "h5p/fractions-05.h5p"), EDITOR)
    assert (changed.versions, changed.latest.manifest["metadata"]["title"]) == (2, "Fractions cinq")


def test_permissions(delivery, catalogue):
    teacher = principal_for_role("awa", "teacher")
    with pytest.raises(PermissionDenied):
        import_delivery(catalogue, delivery, teacher, state=PUBLISHED)
    with pytest.raises(PermissionDenied):
        import_delivery(catalogue, delivery, ANONYMOUS)
    assert not all_resources(catalogue)


def test_a_delivery_that_is_not_a_zip_nor_a_folder(tmp_path, catalogue):
    fake = tmp_path / "livraison.zip"
    fake.write_text("pas un zip")
    with pytest.raises(ImaginecoleError, match="livraison.zip"):
        import_delivery(catalogue, fake, EDITOR)
    slip = write_zip(tmp_path / "evil.zip", {"../evil.h5p": b"x"})
    with pytest.raises(ImaginecoleError, match="evil.h5p"):
        import_delivery(catalogue, slip, EDITOR)
    assert not (tmp_path / "evil.h5p").exists() and not all_resources(catalogue)


# -- the command -----------------------------------------------------------------------------


def test_the_command_imports_reports_and_resumes(delivery, tmp_path, capsys):
    data, report = tmp_path / "data", tmp_path / "rapport.md"
    argv = ["catalogue", "import", str(delivery), "--data", str(data), "--report", str(report)]
    assert main([*argv, "--publish", "--as", "editeur"]) == 1  # some items were rejected
    out, err = capsys.readouterr()
    assert "15 importé(s), 0 déjà présent(s), 9 refusé(s) sur 24" in out
    assert "[##############################] 24/24" in err  # the progress bar
    assert "h5p/atlantide.h5p (ligne 26): pays inconnu « Atlantide »" in err
    assert "[en] unknown country « Atlantide »" in err
    assert report.exists() and report.with_suffix(".csv").exists()
    with Catalogue.open(data) as cat:
        assert cat.count() == 15
        assert {r.owner for r in cat.recent(50)} == {"editeur"}
    assert main(argv) == 1
    out, _ = capsys.readouterr()
    assert "0 importé(s), 15 déjà présent(s), 9 refusé(s)" in out


def test_the_journal_survives_a_torn_line_and_refuses_a_second_import(tmp_path):
    from imaginecole.catalogue.delivery import Journal

    path = tmp_path / "imports" / "livraison.jsonl"
    path.parent.mkdir()
    path.write_text('{"key": "a", "status": "imported", "uid": "u1"}\n{"key": "b", "sta')
    journal = Journal(path)
    assert set(journal.done) == {"a"}
    with pytest.raises(ImaginecoleError, match="Another import|Un autre import"):
        Journal(path)
    journal.write(key="c", file="c.h5p", status="imported", uid="u3")
    journal.close()
    reopened = Journal(path)
    reopened.close()
    assert set(reopened.done) == {"a", "c"}
