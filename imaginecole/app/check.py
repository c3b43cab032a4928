"""Checking a teacher's notebook before it becomes an app.

`check_notebook` runs the notebook top to bottom in a clean kernel (nbclient), in a temporary
folder holding only a copy of the notebook: what a published app gets, since the bundle holds
the notebook alone. It also reads the imports of the code cells (their AST), refuses
``%pip install`` lines and modules the hub's Python cannot import, and records the
distributions (PyPI names, with versions) the notebook needs.

Each problem names the cell (its number from the top, counting every cell, and its first
line) and says what to do, in the teacher's language.
"""

from __future__ import annotations

import ast
import copy
import importlib.metadata
import importlib.util
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..i18n import ImaginecoleError, Message

DEFAULT_TIMEOUT = 120  # seconds for one cell
APP_KERNEL = "python3"
FIRST_LINE_CHARS = 60
_INSTALL = re.compile(r"^\s*[%!]{1,2}\s*(pip|conda|mamba|micromamba|apt|apt-get)\b", re.M)


@dataclass(frozen=True)
class CheckProblem:
    """One reason the notebook cannot be an app, in cell `cell` (1-based; None: the whole
    notebook) whose first line is `line`."""

    message: Message
    cell: int | None = None
    line: str = ""

    def render(self, language: str) -> str:
        if self.cell is None:
            return self.message.render(language)
        return Message(
            "Cell {number} (« {line} »): {problem}",
            number=self.cell,
            line=self.line,
            problem=self.message,
        ).render(language)

    def __str__(self) -> str:
        fr, en = self.render("fr"), self.render("en")
        return fr if fr == en else f"{fr}\n  [en] {en}"


@dataclass
class CheckReport:
    """What `check_notebook` found: `problems` is empty when the notebook can be an app."""

    notebook: Path
    kernel: str = APP_KERNEL
    cells: int = 0  # code cells run
    seconds: float = 0.0
    requirements: list[dict[str, str]] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)  # top-level modules imported
    problems: list[CheckProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def render(self, language: str) -> str:
        if self.ok:
            return Message(
                "The notebook {name} ran top to bottom in a clean kernel ({cells} code cells, "
                "{seconds:.1f} s). Packages: {packages}.",
                name=self.notebook.name,
                cells=self.cells,
                seconds=self.seconds,
                packages=", ".join(f"{r['name']} {r['version']}" for r in self.requirements)
                or Message("none"),
            ).render(language)
        head = Message(
            "The notebook {name} cannot become an app ({count} problem(s)):",
            name=self.notebook.name,
            count=len(self.problems),
        ).render(language)
        return head + "".join(f"\n- {p.render(language)}" for p in self.problems)

    def __str__(self) -> str:
        return self.render("fr") + "\n\n[en]\n" + self.render("en")


class CheckError(ImaginecoleError):
    """A notebook that failed its check; `report` holds every problem."""

    def __init__(self, report: CheckReport) -> None:
        self.report = report
        self.message_id = "The notebook {name} cannot become an app ({count} problem(s)):"
        self.values = {"name": report.notebook.name, "count": len(report.problems)}
        Exception.__init__(self, str(report))

    def render(self, language: str) -> str:
        return self.report.render(language)


# -- reading the notebook ----------------------------------------------------------------------


def read_notebook(path: Path | str) -> Any:
    """The notebook at `path` (nbformat 4), or an ImaginecoleError saying why not."""
    import nbformat

    path = Path(path)
    if path.suffix != ".ipynb":
        raise ImaginecoleError("« {path} » is not a notebook: choose an .ipynb file", path=path)
    try:
        return nbformat.read(path, as_version=4)
    except OSError as exc:
        raise ImaginecoleError(
            "cannot read the notebook {path} ({error})", path=path, error=exc.strerror or exc
        ) from None
    except Exception as exc:  # nbformat raises several kinds for a damaged file
        raise ImaginecoleError(
            "« {path} » is not a Jupyter notebook (.ipynb JSON): {error}",
            path=path,
            error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
        ) from None


def cleared(nb: Any) -> Any:
    """A copy of `nb` without outputs, execution counts nor saved widget state."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    return nb


def first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            text = line.strip()
            return text if len(text) <= FIRST_LINE_CHARS else text[:FIRST_LINE_CHARS] + "…"
    return ""


def _python_source(source: str) -> str:
    """The cell's code as plain Python: IPython magics and ``!`` lines become calls."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def imported_modules(source: str) -> list[str]:
    """The top-level modules the code `source` imports (absolute imports), in order, once."""
    tree = ast.parse(_python_source(source))
    found: list[str] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            top = name.split(".")[0]
            if top not in found:
                found.append(top)
    return found


def is_stdlib(module: str) -> bool:
    return module in sys.stdlib_module_names or module in sys.builtin_module_names


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _static_problems(nb: Any, folder: Path, report: CheckReport) -> None:
    """The imports and install lines of `nb`; fills `report.modules`, `requirements`,
    `problems`."""
    distributions = importlib.metadata.packages_distributions()
    wanted: dict[str, str] = {}
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        line = first_line(cell.source)
        install = _INSTALL.search(cell.source)
        if install:
            report.problems.append(
                CheckProblem(
                    Message(
                        "« {command} » installs packages: an app cannot install anything. "
                        "Remove this line; if the package is missing, ask the hub's "
                        "administrator to install it",
                        command=install.group(0).strip(),
                    ),
                    number,
                    line,
                )
            )
        try:
            modules = imported_modules(cell.source)
        except SyntaxError as exc:
            report.problems.append(
                CheckProblem(
                    Message(
                        "line {line}: Python syntax error ({problem}); correct it",
                        line=exc.lineno or 1,
                        problem=exc.msg,
                    ),
                    number,
                    line,
                )
            )
            continue
        for module in modules:
            if module not in report.modules:
                report.modules.append(module)
            if module == "__future__" or is_stdlib(module):
                continue
            if (folder / f"{module}.py").is_file() or (folder / module / "__init__.py").is_file():
                report.problems.append(
                    CheckProblem(
                        Message(
                            "« {module} » is a file beside the notebook: an app holds only its "
                            "notebook. Copy the code you need into a cell",
                            module=module,
                        ),
                        number,
                        line,
                    )
                )
                continue
            if not _importable(module):
                report.problems.append(
                    CheckProblem(
                        Message(
                            "the module « {module} » is not installed on the hub, so the app "
                            "could not run. Remove it, or ask the hub's administrator to "
                            "install it",
                            module=module,
                        ),
                        number,
                        line,
                    )
                )
                continue
            for dist in distributions.get(module, []):
                try:
                    wanted.setdefault(dist, importlib.metadata.version(dist))
                except importlib.metadata.PackageNotFoundError:
                    continue
    report.requirements = [
        {"name": name, "version": version}
        for name, version in sorted(wanted.items(), key=lambda item: item[0].lower())
    ]


# -- running it ----------------------------------------------------------------------------------


def run_notebook(
    nb: Any,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    store_widget_state: bool = False,
    on_cell: Callable[[int, int], None] | None = None,
) -> tuple[Any, float]:
    """Run a copy of `nb` in a clean `python3` kernel, in a temporary folder holding only the
    notebook; return (the executed notebook, seconds).

    `on_cell(number, total)` is called before each code cell (numbers count every cell).
    Raises nbclient's errors (CellExecutionError, CellTimeoutError, DeadKernelError); the
    failing cell's index is in the error's ``cell_index`` attribute.
    """
    from nbclient import NotebookClient

    nb = cleared(nb)
    total = len(nb.cells)
    with tempfile.TemporaryDirectory(prefix="imaginecole-app-") as scratch:
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name=APP_KERNEL,
            allow_errors=False,
            record_timing=False,
            store_widget_state=store_widget_state,
            resources={"metadata": {"path": scratch}},
        )
        started = time.monotonic()
        with client.setup_kernel(cwd=scratch):
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                if on_cell:
                    on_cell(index + 1, total)
                try:
                    client.execute_cell(cell, index)
                except Exception as exc:
                    exc.cell_index = index  # type: ignore[attr-defined]
                    raise
            if store_widget_state:
                client.set_widgets_metadata()
        return nb, time.monotonic() - started


def run_problem(exc: Exception, nb: Any, timeout: float = DEFAULT_TIMEOUT) -> CheckProblem:
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    index = getattr(exc, "cell_index", None)
    number = None if index is None else index + 1
    line = first_line(nb.cells[index].source) if index is not None else ""
    if isinstance(exc, CellTimeoutError):
        message = Message(
            "this cell was still running after {seconds} s. An app must start quickly: "
            "make the computation shorter, or start it from a button",
            seconds=round(timeout),
        )
    elif isinstance(exc, DeadKernelError):
        message = Message(
            "the Python kernel stopped while running this cell (too much memory?). "
            "Make the computation smaller"
        )
    elif isinstance(exc, CellExecutionError):
        value = (exc.evalue or "").strip().splitlines()
        message = Message(
            "the cell stopped with {error}: {text}. Correct it and run the notebook again "
            "from the top (Kernel › Restart and run all)",
            error=exc.ename,
            text=value[0] if value else "",
        )
        if exc.ename in ("FileNotFoundError", "ModuleNotFoundError"):
            message = Message(
                "{problem} (An app holds only its notebook: the files beside it are not "
                "published.)",
                problem=message,
            )
    else:
        message = Message(
            "the notebook could not run ({error}: {text})",
            error=type(exc).__name__,
            text=str(exc).splitlines()[0] if str(exc) else "",
        )
    return CheckProblem(message, number, line)


def check_notebook(
    path: Path | str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    on_cell: Callable[[int, int], None] | None = None,
) -> CheckReport:
    """Check that the notebook at `path` can be published as an app.

    Reads its imports (refusing ``%pip`` lines, files beside the notebook and modules the
    hub's Python does not have), then, when there is no such problem, runs it top to bottom
    in a clean kernel, `timeout` seconds at most per cell. `on_cell(number, total)` reports
    the progress. Never raises for the notebook's own faults: they are in `problems`.
    """
    path = Path(path)
    nb = read_notebook(path)
    report = CheckReport(notebook=path)
    kernel = (nb.metadata.get("kernelspec") or {}).get("name") or APP_KERNEL
    language = (nb.metadata.get("kernelspec") or {}).get("language") or "python"
    if language != "python" or not (kernel == APP_KERNEL or kernel.startswith("python")):
        report.problems.append(
            CheckProblem(
                Message(
                    "this notebook uses the kernel « {kernel} »; apps run with Python 3 "
                    "only. Change the kernel to Python 3",
                    kernel=kernel,
                )
            )
        )
        return report
    code_cells = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    if not code_cells:
        report.problems.append(
            CheckProblem(Message("this notebook has no code cell: there is no app to run"))
        )
        return report
    _static_problems(nb, path.parent, report)
    if report.problems:
        return report  # running it would only fail on the same lines
    report.cells = len([c for c in nb.cells if c.cell_type == "code"])
    try:
        _executed, report.seconds = run_notebook(nb, timeout=timeout, on_cell=on_cell)
    except Exception as exc:  # the notebook's fault, reported in its cell
        report.problems.append(run_problem(exc, nb, timeout))
    return report


def copy_notebook(source: Path, target: Path) -> None:
    """Write `source` cleared of its outputs at `target`."""
    import nbformat

    nbformat.write(cleared(read_notebook(source)), target)


__all__ = [
    "CheckError",
    "CheckProblem",
    "CheckReport",
    "check_notebook",
    "cleared",
    "copy_notebook",
    "imported_modules",
    "read_notebook",
    "run_notebook",
]
