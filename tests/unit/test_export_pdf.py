"""The worksheet behind the `pdf` exporter, without Chromium: its HTML, typography and helpers.

tests/browser/test_export_pdf.py prints it and reads the PDFs back.
"""

import copy
import json
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from imaginecole.exports import available, get_exporter
from imaginecole.exports import worksheet as ws
from imaginecole.exports.base import Bundle, ExportError
from imaginecole.exports.pdf import (
    PdfExporter,
    Printer,
    answer_key_path,
    fixed_dates,
    render_pdfs,
    stable_node_ids,
)

from imaginecole.i18n import _, locale_dir

GRAINS = Path(__file__).parents[1] / "fixtures" / "grains"
REPO = Path(__file__).parents[2]
NBSP, NNBSP = "\u00a0", "\u202f"


def html(kind: str, *, answers: bool = False) -> str:
    return ws.render(Bundle.load(GRAINS / kind), answers=answers)


def bundle_with(kind: str, tmp_path: Path, change) -> Bundle:
    """A fixture grain changed in memory, unvalidated (as a bundle that skipped saving)."""
    folder = tmp_path / kind
    shutil.copytree(GRAINS / kind, folder)
    manifest = copy.deepcopy(json.loads((folder / "manifest.json").read_text("utf-8")))
    change(manifest)
    return Bundle(path=folder, manifest=manifest)


def test_registered_documented_and_described_in_french():
    assert "pdf" in available()
    assert get_exporter("pdf") is PdfExporter
    assert _(PdfExporter.description) == (
        "Fiche d'exercices A4 à imprimer (PDF) et son corrigé (.corrige.pdf)"
    )
    docs = (REPO / "docs" / "exports.md").read_text("utf-8")
    assert re.search(r"^\| `pdf` \| `\.pdf` \+ `\.corrige\.pdf` \|.*corrigé", docs, re.M)


def test_the_answer_key_sits_beside_the_worksheet():
    assert answer_key_path(Path("out/fiche.pdf")) == Path("out/fiche.corrige.pdf")
    assert answer_key_path(Path("fiche")) == Path("fiche.corrige.pdf")


@pytest.mark.parametrize(
    "before,after",
    [
        ("Quelle forme voit-on ?", f"Quelle forme voit-on{NNBSP}?"),
        ("Bravo!", f"Bravo{NNBSP}!"),
        ("Vraiment ?!", f"Vraiment{NNBSP}?!"),
        ("Nom: Awa ; classe : CM1", f"Nom{NBSP}: Awa{NNBSP}; classe{NBSP}: CM1"),
        ("« Bonjour »", f"«{NBSP}Bonjour{NBSP}»"),
        ("«Bonjour»", f"«{NBSP}Bonjour{NBSP}»"),
        ("Il faut 60 % des points.", f"Il faut 60{NBSP}% des points."),
        ("Il coûte 10 000 FCFA.", f"Il coûte 10{NNBSP}000 FCFA."),
        # left alone: times, addresses, ratios and entities
        ("à 10:30", "à 10:30"),
        ("http://exemple.org/page?id=3", "http://exemple.org/page?id=3"),
        ("3:4", "3:4"),
    ],
)
def test_french_spacing(before, after):
    assert ws.french_spacing(before) == after
    assert ws.french_spacing(after) == after  # applying it twice changes nothing more


def test_french_grains_get_french_typography_in_text_and_interface():
    page = html("question_set")
    assert f"Quelle <strong>forme</strong> voit-on sur l'image{NNBSP}?" in page
    assert f"Nom et prénom{NBSP}:" in page and f"Classe{NBSP}:" in page
    assert f"Il faut 60{NBSP}% des points" in page
    # not in Arabic: its punctuation takes no space
    assert NNBSP not in html("arabic") and "ما هي عاصمة موريتانيا؟" in html("arabic")


def test_the_worksheet_has_lines_where_the_key_has_the_answers():
    sheet, key = html("question_set"), html("question_set", answers=True)
    for answer in ("chat / chaton", "natte", "Le bon ordre", "Corrigé"):
        assert answer in key and answer not in sheet, answer
    assert sheet.count('class="gap"') == key.count('class="gap"') == 5
    assert "✓" not in sheet and key.count("✓") == 4  # 1 + 2 + 1 right choices
    assert 'class="pupil"' in sheet and 'class="pupil"' not in key


def test_matching_and_ordering_are_shuffled_the_same_way_every_time():
    bundle = Bundle.load(GRAINS / "question_set")
    view = ws.context(bundle, answers=True)
    assert view["questions"] == ws.context(bundle, answers=True)["questions"]
    questions = {q["id"]: q for q in view["questions"]}
    pairs = {p["left"]: p["right"] for p in bundle.manifest["questions"][5]["pairs"]}
    match = questions["capitales"]
    rights = {r["letter"]: r["text"] for r in match["right"]}
    assert [r["letter"] for r in match["right"]] == ["A", "B", "C", "D"]
    for left in match["left"]:
        assert rights[left["letter"]] == pairs[left["text"]]
    assert all(
        rights[left["letter"]] != match["right"][i]["text"] for i, left in enumerate(match["left"])
    )
    order = questions["mil"]["to_order"]
    assert [item["rank"] for item in order] != [1, 2, 3, 4]
    assert sorted(order, key=lambda item: item["rank"]) == [
        {"text": text, "rank": i} for i, text in enumerate(questions["mil"]["in_order"], 1)
    ]


def test_drag_words_get_a_sorted_word_bank_with_the_extra_words():
    q = ws.context(Bundle.load(GRAINS / "drag_words"), answers=False)["questions"][0]
    assert q["bank"] == ["est", "nord", "ouest", "sud"]
    assert q["unused"] == "Certains mots ne servent pas."


def test_media_are_local_files_and_sounds_become_transcripts():
    page = html("question_set")
    sources = re.findall(r'<img src="([^"]+)"', page)
    assert sources and all(
        s.startswith("file:///") and s.endswith("/media/triangle.png") for s in sources
    )
    assert "<audio" not in page and "Un son aigu et court" in page
    assert "<figcaption>Un triangle vert sur un fond gris clair</figcaption>" in page
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page)


def test_teacher_scripts_never_reach_the_page(tmp_path):
    def evil(manifest):
        q = manifest["questions"][0]
        q["statement"] = "<p>Bonjour<script>document.write('PIRATE')</script></p>"
        q["choices"][1]["text"] = '<img src="x" onerror="alert(1)">Un carré'
        q["choices"][2]["text"] = '<a href="javascript:alert(2)">Un cercle</a>'
        q["hint"] = "<script>alert('PIRATE')</script>Comptez les côtés."
        q["feedback"] = {"general": "<b>gras</b> & 1 < 2"}

    bundle = bundle_with("single_choice", tmp_path, evil)
    for answers in (False, True):
        page = ws.render(bundle, answers=answers)
        assert "<script" not in page.lower() and "PIRATE" not in page
        assert "onerror" not in page and "javascript:" not in page
        assert "Bonjour" in page and "Un carré" in page and "Un cercle" in page
        assert ("Comptez les côtés." in page) is not answers  # the hint is on the sheet only
    # plain text is escaped, not interpreted
    assert "&lt;b&gt;gras&lt;/b&gt; &amp; 1 &lt; 2" in ws.render(bundle, answers=True)


def test_arabic_grains_print_right_to_left_in_arabic():
    sheet, key = html("arabic"), html("arabic", answers=True)
    assert '<html lang="ar" dir="rtl">' in sheet
    assert "الاسم واللقب:" in sheet and "الإصلاح" in key
    view = ws.context(Bundle.load(GRAINS / "arabic"), answers=False)
    letters = [
        r["letter"] for q in view["questions"] if q["kind"] == "matching" for r in q["right"]
    ]
    assert letters == ["أ", "ب", "ج"]


def test_every_worksheet_string_has_a_french_and_an_arabic_translation():
    for language in ("fr", "ar"):
        path = locale_dir() / language / "LC_MESSAGES" / "imaginecole.po"
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=language)
        missing = [
            m
            for m in ws.PRINT_STRINGS.values()
            if not (
                catalog.get(m, context=ws.CONTEXT) and catalog.get(m, context=ws.CONTEXT).string
            )
        ]
        assert missing == [], f"{language}: {missing}"


def test_the_template_is_found_on_the_jupyter_path(tmp_path, monkeypatch):
    custom = tmp_path / "share" / "print"
    shutil.copytree(REPO / "templates" / "print", custom)
    css = custom / "print.css"
    css.write_text(css.read_text("utf-8") + "\n/* école de Dosso */\n", "utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "share"))
    assert ws.template_dir() == custom
    assert "école de Dosso" in html("true_false")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "nowhere"))
    assert ws.template_dir() == REPO / "templates" / "print"
    assert ws.template_conf()["pdf"]["format"] == "A4"


def test_pdf_dates_become_the_grain_modification_time_at_the_same_length():
    pdf = b"<</CreationDate (D:20261128145717+00'00')\n/ModDate (D:20261128145717+00'00')>>"
    fixed = fixed_dates(pdf, "2025-03-04T10:20:30+01:00")
    assert fixed == pdf.replace(b"20261128145717", b"20250304092030")
    assert b"D:20000101000000" in fixed_dates(pdf, None)
    assert len(fixed_dates(pdf, "not a date")) == len(pdf)


def test_tagged_pdf_node_ids_are_renumbered_in_order():
    pdf = b"/ID (node00001207)>> /Headers [(node00001207)] /ID (node00000534)"
    assert (
        stable_node_ids(pdf) == b"/ID (node00000001)>> /Headers [(node00000001)] /ID (node00000002)"
    )


def test_a_missing_chromium_is_an_error_that_says_what_to_install(tmp_path):
    absent = Printer(executable=str(tmp_path / "no-chromium"))
    try:
        with pytest.raises(ExportError, match="apt-get install|./studio install"):
            render_pdfs(Bundle.load(GRAINS / "true_false"), tmp_path / "f.pdf", using=absent)
    finally:
        absent.close()
    assert not (tmp_path / "f.pdf").exists()
