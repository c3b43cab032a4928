"""Preparing a publication: what is checked before anything is stored."""

import json
import zipfile

import pytest

from imaginecole.bundle import BundleError
from imaginecole.catalogue.model import principal_for_role
from imaginecole.catalogue.publishing import (
    MAX_PUBLISHED_BYTES,
    clean_metadata,
    metadata_problems,
    slug,
)
from imaginecole.catalogue.service import Catalogue, PermissionDenied
from imaginecole.i18n import ImaginecoleError

TEACHER = principal_for_role("awa", "teacher")
EDITOR = principal_for_role("fatou", "editor")


@pytest.fixture
def catalogue(tmp_path):
    opened = Catalogue.open(tmp_path / "data")
    yield opened
    opened.close()


def test_metadata_problems_name_every_missing_field():
    manifest = {"metadata": {"title": "Les formes", "language": "fr", "licence": "CC0-1.0"}}
    paths = [p.path for p in metadata_problems(manifest)]
    assert paths == [
        "metadata.description",
        "metadata.country",
        "metadata.level",
        "metadata.subject",
        "metadata.authors",
    ]
    assert "description" in metadata_problems(manifest)[0].render("en")


def test_publish_refuses_a_bundle_without_publication_metadata(catalogue, tmp_path):
    from pathlib import Path

    fixture = Path(__file__).parents[2] / "fixtures" / "grains" / "single_choice"
    with pytest.raises(BundleError) as info:
        catalogue.publish(TEACHER, fixture)
    text = str(info.value)
    for field in ("metadata.description", "metadata.country", "metadata.level"):
        assert field in text
    assert "[en]" in text  # French first, then English
    assert catalogue.count() == 0 and catalogue.submissions(TEACHER) == []


def test_publish_accepts_a_zip_of_a_bundle_in_a_folder(catalogue, publishable_bundle, tmp_path):
    folder = publishable_bundle(title="La fraction")
    archive = tmp_path / "envoi.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in folder.rglob("*"):
            zf.write(path, f"mon-grain/{path.relative_to(folder)}")
    info = catalogue.publish(TEACHER, archive, formats=["html"])
    assert info.title == "La fraction"
    assert sorted(f.format for f in info.latest.files) == ["bundle", "html"]


def test_publish_refuses_zip_slip_and_non_bundles(catalogue, tmp_path):
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../../outside.txt", "x")
        zf.writestr("manifest.json", "{}")
    with pytest.raises(ImaginecoleError, match="outside"):
        catalogue.publish(TEACHER, evil)
    assert not (tmp_path.parent / "outside.txt").exists()
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("readme.txt", "rien")
    with pytest.raises(ImaginecoleError, match="manifest.json"):
        catalogue.publish(TEACHER, empty)
    with pytest.raises(ImaginecoleError, match="neither a bundle folder"):
        catalogue.publish(TEACHER, tmp_path / "nothing-here")


def test_unknown_export_format_is_named(catalogue, publishable_bundle):
    with pytest.raises(ImaginecoleError, match="docx"):
        catalogue.publish(TEACHER, publishable_bundle(), formats=["html", "docx"])


def test_package_over_the_size_cap_is_refused_in_both_languages(catalogue, tmp_path):
    huge = tmp_path / "huge.h5p"
    with huge.open("wb") as fh:
        fh.truncate(MAX_PUBLISHED_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(ImaginecoleError) as info:
        catalogue.publish_package(
            TEACHER, {"title": "Trop gros"}, {"h5p": huge}, type="h5p", kind="H5P.Column"
        )
    text = str(info.value)
    assert "huge.h5p" in text and "200 MB" in text and "[en]" in text
    assert catalogue.submissions(TEACHER) == []


def test_publish_package_checks_its_arguments(catalogue, tmp_path):
    package = tmp_path / "quiz.h5p"
    package.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ImaginecoleError, match="video"):
        catalogue.publish_package(TEACHER, {"title": "x"}, {"h5p": package}, type="video")
    with pytest.raises(ImaginecoleError, match="title"):
        catalogue.publish_package(TEACHER, {"title": "  "}, {"h5p": package}, type="h5p")
    with pytest.raises(ImaginecoleError, match="missing.h5p"):
        catalogue.publish_package(
            TEACHER, {"title": "x"}, {"h5p": tmp_path / "missing.h5p"}, type="h5p"
        )
    with pytest.raises(ImaginecoleError, match="not a valid resource id"):
        catalogue.publish_package(
            TEACHER, {"title": "x"}, {"h5p": package}, type="h5p", uid="../etc"
        )
    with pytest.raises(PermissionDenied):  # only editors skip the review
        catalogue.publish_package(
            TEACHER, {"title": "x"}, {"h5p": package}, type="h5p", state="published"
        )
    info = catalogue.publish_package(
        EDITOR,
        {"title": " Quiz  H5P ", "authors": ["Awa", {"name": "Moussa"}], "country": "sn"},
        {"h5p": package},
        type="h5p",
        kind="H5P.QuestionSet",
        state="published",
    )
    assert (info.title, info.authors, info.country) == ("Quiz H5P", ["Awa", "Moussa"], "SN")
    assert info.published is not None and info.latest.files[0].filename == "quiz.h5p"


def test_clean_metadata_keeps_known_fields_with_sane_types():
    clean = clean_metadata(
        {"title": "T", "keywords": "fractions; partage", "country": "XX", "extra": 1}
    )
    assert clean["keywords"] == ["fractions", "partage"]
    assert "country" not in clean and "extra" not in clean
    assert clean["language"] == "fr"
    assert json.dumps(clean)  # storable as JSON


def test_slug_of_a_french_title():
    assert slug("L'élève & la fraction !") == "l-eleve-la-fraction"
    assert slug("!!!", default="abc") == "abc"


def test_a_format_that_cannot_express_the_grain_is_left_out_unless_asked_for(
    catalogue, publishable_bundle
):
    """Flashcards have no GIFT or QTI form: by default the grain is published without those
    packages (the others are there); asked for by name, the publication is refused."""
    resource = catalogue.publish(TEACHER, publishable_bundle("flashcards"))
    formats = {f.format for f in resource.latest.files}
    assert {"bundle", "html", "scorm12", "h5p"} <= formats
    assert "gift" not in formats and "qti21" not in formats
    with pytest.raises(ImaginecoleError) as info:
        catalogue.publish(TEACHER, publishable_bundle("flashcards"), formats=["html", "gift"])
    assert "holds no question GIFT can write" in str(info.value)
    assert len(catalogue.submissions(TEACHER)) == 1  # the first one only
