"""A single-user server extension: pay at start what the first Voilà page would pay.

The first launcher page a server renders imported IPython and ipykernel (the
kernel spec lookup), anyio and mistune's plugins: about 0.3 CPU-s that 30
teachers arriving at once paid together, on two cores. Pre-spawned servers pay
it before the session instead. Every teacher lands on a Voilà page, so the
memory would be spent anyway.
"""

from __future__ import annotations

import importlib

# what `sys.modules` gained during the first /voila/render of the launcher
WARM_MODULES = (
    "anyio",
    "anyio._backends._asyncio",
    "anyio.abc",
    "encodings.unicode_escape",
    "codeop",
    "difflib",
    "ipykernel.kernelspec",
    "mistune.plugins.def_list",
    "mistune.plugins.task_lists",
    "mistune.plugins.url",
)


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "imaginecole.hub.warmup"}]


def _load_jupyter_server_extension(serverapp) -> None:
    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:  # a newer dependency moved it: only the warm-up is lost
            serverapp.log.debug("warm-up: no module %s", name)
    try:
        serverapp.kernel_spec_manager.get_kernel_spec("python3")
    except Exception:  # no python3 kernel: Voilà will say so on the page
        serverapp.log.debug("warm-up: no python3 kernel spec")
