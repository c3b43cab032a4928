"""The curriculum data files of the twelve countries."""

from __future__ import annotations

import pytest
import yaml

from imaginecole.curricula import CYCLES, curricula_dir, curriculum, levels, subjects
from imaginecole.i18n import ImaginecoleError
from imaginecole.workshop.countries import COUNTRIES


@pytest.mark.parametrize("country", sorted(COUNTRIES))
def test_every_country_has_a_valid_curriculum(country):
    found = levels(country)
    cycles = [level["cycle"] for level in found]
    # levels run from the youngest pupils to the oldest, cycle by cycle
    assert cycles == sorted(cycles, key=CYCLES.index)
    assert set(cycles) == set(CYCLES)
    assert len({level["id"] for level in found}) == len(found)
    ids = {s["id"] for s in subjects(country)}
    assert {"francais", "mathematiques"} <= ids
    assert all(level["name_fr"] and level["name_en"] for level in found)


def test_national_variants():
    assert [lv["id"] for lv in levels("CM") if lv["cycle"] == "primaire"][0] == "sil"
    assert [lv["id"] for lv in levels("SN") if lv["cycle"] == "primaire"] == [
        "ci",
        "cp",
        "ce1",
        "ce2",
        "cm1",
        "cm2",
    ]
    tunisia = [lv["name_fr"] for lv in levels("TN")]
    assert "7e année de base (collège)" in tunisia and "4e année secondaire" in tunisia
    assert "1re année fondamentale" in [lv["name_fr"] for lv in levels("MR")]
    assert "arabe" in {s["id"] for s in subjects("TN")}


def test_unknown_country_is_a_clear_error():
    with pytest.raises(ImaginecoleError) as err:
        levels("FR")
    assert "SN" in str(err.value) and "Aucun programme" in str(err.value)


def test_a_broken_file_names_itself_and_the_field(tmp_path, monkeypatch):
    data = yaml.safe_load((curricula_dir() / "SN.yaml").read_text("utf-8"))
    data["levels"][2]["cycle"] = "universite"
    (tmp_path / "SN.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    monkeypatch.setattr("imaginecole.curricula.curricula_dir", lambda: tmp_path)
    curriculum.cache_clear()
    try:
        with pytest.raises(ImaginecoleError) as err:
            levels("SN")
        assert "levels.2.cycle" in str(err.value) and "SN.yaml" in str(err.value)
    finally:
        curriculum.cache_clear()
