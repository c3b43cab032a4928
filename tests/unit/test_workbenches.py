import json

from imaginecole.hub.workbenches import install_workbenches


def make_source(tmp_path, text="v1"):
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / "Créer un quiz.ipynb").write_text(json.dumps({"v": text}))
    return src


def test_first_spawn_copies_every_workbench(tmp_path):
    src = make_source(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    assert install_workbenches(src, home) == ["+ Créer un quiz.ipynb"]
    assert json.loads((home / "Créer un quiz.ipynb").read_text()) == {"v": "v1"}
    assert install_workbenches(src, home) == []  # nothing to do the second time


def test_untouched_workbench_is_updated_in_place(tmp_path):
    src = make_source(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    install_workbenches(src, home)
    make_source(tmp_path, "v2")
    assert install_workbenches(src, home) == ["~ Créer un quiz.ipynb"]
    assert json.loads((home / "Créer un quiz.ipynb").read_text()) == {"v": "v2"}


def test_teacher_changes_are_never_overwritten(tmp_path):
    src = make_source(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    install_workbenches(src, home)
    (home / "Créer un quiz.ipynb").write_text("my own work")
    make_source(tmp_path, "v2")
    actions = install_workbenches(src, home)
    assert (home / "Créer un quiz.ipynb").read_text() == "my own work"
    assert len(actions) == 1 and "nouvelle version" in actions[0]
    beside = [p for p in home.glob("*.ipynb") if "nouvelle version" in p.name]
    assert len(beside) == 1 and json.loads(beside[0].read_text()) == {"v": "v2"}
    # and it is not duplicated on the next spawn
    assert install_workbenches(src, home) == []


def test_the_trainers_notebooks_go_to_trainers_only(tmp_path):
    src = make_source(tmp_path)
    dashboard = {"metadata": {"imaginecole": {"kind": "workbench", "audience": "trainers"}}}
    (src / "Tableau de bord du formateur.ipynb").write_text(json.dumps(dashboard))
    teacher, trainer = tmp_path / "teacher", tmp_path / "trainer"
    teacher.mkdir()
    trainer.mkdir()
    assert install_workbenches(src, teacher) == ["+ Créer un quiz.ipynb"]
    assert sorted(install_workbenches(src, trainer, trainer=True)) == [
        "+ Créer un quiz.ipynb",
        "+ Tableau de bord du formateur.ipynb",
    ]
