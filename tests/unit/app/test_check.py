"""`check_notebook`: a notebook runs top to bottom in a clean kernel, or each problem names its
cell and says what to do; the packages it needs are recorded with their versions."""

from __future__ import annotations

import importlib.metadata

from imaginecole.app.check import check_notebook, imported_modules

from .notebooks import SLIDER_APP, write_notebook


def test_a_working_app_records_its_packages(tmp_path):
    notebook = write_notebook(tmp_path / "app.ipynb", *SLIDER_APP)

    report = check_notebook(notebook)

    assert report.ok, report
    assert report.cells == 2
    names = {r["name"]: r["version"] for r in report.requirements}
    assert names["ipywidgets"] == importlib.metadata.version("ipywidgets")
    assert names["numpy"] == importlib.metadata.version("numpy")
    assert "2 code cells" in report.render("en")


def test_the_failing_cell_is_named_with_its_error(tmp_path):
    notebook = write_notebook(
        tmp_path / "app.ipynb", "x = 1", "part = 3 / 0  # la part de chacun", "print(x)"
    )

    report = check_notebook(notebook)

    assert not report.ok
    (problem,) = report.problems
    assert problem.cell == 3  # the markdown cell counts: it is the third cell from the top
    text = problem.render("fr")
    assert "Cellule 3" in text and "part = 3 / 0" in text and "ZeroDivisionError" in text
    assert "division by zero" in problem.render("en")


def test_files_beside_the_notebook_are_not_there_when_it_runs(tmp_path):
    (tmp_path / "donnees.csv").write_text("a,b\n1,2\n", "utf-8")
    notebook = write_notebook(tmp_path / "app.ipynb", "open('donnees.csv').read()")

    report = check_notebook(notebook)

    assert [p.cell for p in report.problems] == [2]
    assert "FileNotFoundError" in report.problems[0].render("en")
    assert "only its notebook" in report.problems[0].render("en")


def test_pip_install_and_unknown_modules_are_refused_before_running(tmp_path):
    (tmp_path / "outils.py").write_text("X = 1\n", "utf-8")
    notebook = write_notebook(
        tmp_path / "app.ipynb",
        "%pip install plotly\nimport json",
        "import ipywidgets\nfrom module_qui_nexiste_pas import truc",
        "import outils",
    )

    report = check_notebook(notebook)

    assert report.cells == 0  # nothing ran
    rendered = [p.render("fr") for p in report.problems]
    assert [p.cell for p in report.problems] == [2, 3, 4]
    assert "%pip install" in rendered[0] and "administrat" in rendered[0]
    assert "module_qui_nexiste_pas" in rendered[1] and "n'est pas installé" in rendered[1]
    assert "outils" in rendered[2]
    assert "is not installed on the hub" in report.problems[1].render("en")


def test_a_cell_that_runs_too_long_is_stopped(tmp_path):
    notebook = write_notebook(tmp_path / "app.ipynb", "import time\ntime.sleep(60)")

    report = check_notebook(notebook, timeout=2)

    (problem,) = report.problems
    assert problem.cell == 2 and "2 s" in problem.render("en")


def test_imports_are_read_from_the_code_and_magics_are_not_python():
    source = "%matplotlib inline\nimport numpy.linalg as la, os\nfrom . import x\n!ls\n"
    source += "def f():\n    from scipy import stats\n"

    assert imported_modules(source) == ["numpy", "os", "scipy"]


def test_other_kernels_are_refused(tmp_path):
    notebook = write_notebook(tmp_path / "app.ipynb", "1 + 1")
    text = (
        notebook.read_text("utf-8")
        .replace('"python3"', '"ir"')
        .replace('"language": "python"', '"language": "R"')
    )
    notebook.write_text(text, "utf-8")

    report = check_notebook(notebook)

    assert "« ir »" in report.problems[0].render("en")
