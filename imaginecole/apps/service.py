"""The apps service: standalone Voilà, preheated, serving the catalogue's published apps.

    python -m imaginecole.apps.service --apps-dir DIR --catalogue-url URL [options]

One process does two things:

1. it keeps ``DIR`` in step with the catalogue's published notebook apps (at start, then
   every ``--poll`` seconds; see `imaginecole.apps.sync`), and refreshes the pool of
   preheated kernels of each app that was added, updated or withdrawn;
2. it runs Voilà on ``DIR`` with preheated kernels, a cell timeout, idle-kernel culling,
   kernels within memory and CPU limits (`imaginecole.apps.kernel`), the project's
   ``imaginecole-app`` template and, unless ``--anonymous``, the hub's sign-in.

An app opens at ``<base-url>voila/render/<uid>.ipynb``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from jupyter_core.utils import ensure_async
from jupyter_server.base.handlers import FileFindHandler
from jupyter_server.utils import url_path_join
from tornado.ioloop import PeriodicCallback
from tornado.web import GZipContentEncoding, RedirectHandler
from traitlets import Bool, Instance, Integer, Unicode, observe
from traitlets.config import Config
from voila.app import Voila
from voila.static_file_handler import MultiStaticFileHandler
from voila.tornado.handler import TornadoVoilaHandler

from imaginecole.i18n import N_, _

from .kernel import AppKernelSpecManager, network_isolation_available, remove_dead_scratch
from .sync import CatalogueApps, SyncReport, notebook_name

TEMPLATE = "imaginecole-app"
LITE_BUNDLE = "app.js"  # templates/voila/frontend/app.js, built into the template's static/
KERNEL_ACCOUNT = "ic-apps"
# federated extensions an app page never needs: the "Voilà preview" button of JupyterLab
# (Voilà already leaves it out) and JupyterLab's Pygments theme (nbconvert's CSS styles code)
UNUSED_EXTENSIONS = ["@voila-dashboards/jupyterlab-preview", "jupyterlab_pygments"]
# a browser keeps what never changes under its name for a year, without asking again
IMMUTABLE = "public, max-age=31536000, immutable"
# a lab extension's built files carry a hash of their content in their name
HASHED_NAME = re.compile(r"(^|[./])[0-9a-f]{8,}\.js$")
# strings of the app template, added to the workbench template's (imaginecole.hub.pages)
APP_STRINGS: dict[str, str] = {
    "app_loading": N_("The app is starting…"),
    "app_error_title": N_("This app stopped with an error"),
    "app_error_text": N_(
        "Its author may have left a mistake in it. Tell your trainer or the app's author; "
        "you can try again by reloading the page."
    ),
    "app_timeout_title": N_("This app took too long to start"),
    "app_timeout_text": N_(
        "It was stopped so that it does not slow down everyone else. Reload the page to try "
        "again; if it happens again, tell the app's author."
    ),
    "app_dead_title": N_("This app has stopped"),
    "app_dead_text": N_(
        "It was stopped because it used too much memory or computing time, or because it was "
        "left unused. Reload the page to start it again."
    ),
    "app_reload": N_("Reload the page"),
    "app_gallery": N_("Back to the apps"),
}


def app_resources(language: str, gallery_url: str) -> dict:
    """The template's strings (the workbench template's plus the app's) in `language`."""
    from imaginecole.hub.pages import translated_strings, voila_resources

    resources = voila_resources(language)
    resources["imaginecole"]["t"].update(translated_strings(APP_STRINGS, language))
    resources["imaginecole"]["gallery_url"] = gallery_url
    resources["imaginecole"]["lite_frontend"] = lite_frontend() is not None
    return resources


def lite_frontend() -> Path | None:
    """The apps' own front end, built by ``./studio install`` (esbuild), if it is."""
    from jupyter_core.paths import jupyter_path

    for root in jupyter_path("voila", "templates", TEMPLATE, "static"):
        if (Path(root) / LITE_BUNDLE).is_file():
            return Path(root) / LITE_BUNDLE
    return None


class QuickGzip(GZipContentEncoding):
    """gzip at level 1: Voilà's 5.3 MB of JavaScript become 1.8 MB (1.6 MB at tornado's
    level 6) for 0.1 s of the server's CPU instead of 0.3 s, per browser that has none."""

    GZIP_LEVEL = 1


class VersionedStaticHandler(MultiStaticFileHandler):
    """Voilà's own JavaScript under a URL naming its version: kept by the browser for a year.

    Voilà serves it at ``voila/static/`` without a cache lifetime, so a browser asks again
    for its hundred files (or guesses); the same files under ``voila/static/<version>/``
    never change, and a new Voilà gets a new URL."""

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", IMMUTABLE)


class LabExtensionsHandler(FileFindHandler):
    """Voilà's lab extensions handler, but the files whose name holds their hash are kept
    for a year (Voilà marks them all "no-cache": one request each per opening)."""

    def set_headers(self) -> None:
        super().set_headers()
        if HASHED_NAME.search(self.request.path):
            self.set_header("Cache-Control", IMMUTABLE)


def static_version(static_paths: list[str]) -> str:
    """A short name for the front ends installed: Voilà's version, its main file and ours."""
    import voila

    digest = hashlib.sha256(voila.__version__.encode())
    for name in ("voila.js", LITE_BUNDLE):
        for root in static_paths:
            main = Path(root) / name
            if main.is_file():
                stat = main.stat()
                digest.update(f"{main}:{stat.st_size}:{stat.st_mtime_ns}".encode())
                break
    return "v" + digest.hexdigest()[:12]


class AnonymousAppPageHandler(TornadoVoilaHandler):
    """An app's page without the hub's sign-in (``--anonymous``).

    The page's scripts stop the app's kernel when the tab closes or the app fails (POST
    ``voila/api/shutdown/<id>``), sending back the ``_xsrf`` cookie's token. The hub's
    sign-in sets that cookie; without it nothing did, the shutdown was refused (403) and
    the kernel lived until culled. Tornado sets the cookie when a handler reads its token."""

    async def prepare(self, **kwargs) -> None:
        await super().prepare(**kwargs)
        self.xsrf_token  # noqa: B018 - sets the _xsrf cookie, before the page is streamed


class AppsVoila(Voila):
    """Voilà on the apps folder, kept in step with the catalogue."""

    name = "imaginecole-apps"
    catalogue_url = Unicode(config=True, help="The catalogue the published apps are read from.")
    gallery_url = Unicode(
        "/services/catalogue/", config=True, help="Where the apps folder's own page sends people."
    )
    poll_seconds = Integer(30, config=True, help="Seconds between two reads of the catalogue.")
    scratch_root = Unicode(config=True, help="Folder of the kernels' scratch folders.")
    anonymous = Bool(False, config=True, help="No hub sign-in: the pages set the _xsrf cookie.")
    sockets_for_kernels = Bool(
        False, config=True, help="Kernels (another account) bind their Unix sockets here."
    )
    catalogue = Instance(CatalogueApps, allow_none=True)
    _refreshing = False

    static_tag = Unicode(help="The Voilà front end's version, in its static files' URL.")

    def init_settings(self) -> dict:
        self.static_tag = static_version(self.static_paths)
        # read by the kernel manager (preheated pages) and the page handler, both made here
        self.voila_configuration.page_config_hook = self._page_config
        settings = super().init_settings()
        # a browser's first app pulls 5.3 MB of JavaScript: compressed for the workshop's
        # Wi-Fi. Given to tornado's application when it is made (`tornado_settings` come
        # too late for it: Voilà's `compress_response` there compressed nothing)
        settings["transforms"] = [QuickGzip]
        return settings

    def _page_config(self, page_config: dict, **_kwargs) -> dict:
        """The page's front end loads Voilà's files from their versioned URL."""
        page_config["fullStaticUrl"] = url_path_join(
            self.server_url, "voila/static", self.static_tag
        )
        return page_config

    def init_handlers(self) -> list:
        from voila.tornado.contentshandler import VoilaContentsHandler
        from voila.tornado.treehandler import TornadoVoilaTreeHandler

        versioned = url_path_join(self.server_url, f"/voila/static/{self.static_tag}/(.*)")
        handlers = [(versioned, VersionedStaticHandler, {"paths": self.static_paths})]
        for handler in super().init_handlers():
            if handler[1] is TornadoVoilaTreeHandler:
                # no listing of the folder: the catalogue's gallery lists the apps
                handlers.append((handler[0], RedirectHandler, {"url": self.gallery_url}))
            elif handler[1] is TornadoVoilaHandler and self.anonymous:
                handlers.append((handler[0], AnonymousAppPageHandler, *handler[2:]))
            elif handler[1] is FileFindHandler and "/voila/labextensions/" in handler[0]:
                handlers.append((handler[0], LabExtensionsHandler, *handler[2:]))
            elif handler[1] is not VoilaContentsHandler:
                handlers.append(handler)
        return handlers

    def sync_now(self) -> SyncReport | None:
        """One read of the catalogue; None (and a log line) when it does not answer."""
        try:
            report = self.catalogue.sync()
        except Exception as exc:  # the catalogue may start after us, or be restarting
            self.log.warning(
                "apps: the catalogue at %s did not answer: %s", self.catalogue_url, exc
            )
            return None
        for uid, reason in report.failed.items():
            self.log.warning("apps: could not take app %s: %s", uid, reason)
        if report.changed:
            self.log.info(
                "apps: added %s, updated %s, removed %s",
                report.added,
                report.updated,
                report.removed,
            )
        return report

    async def _drain_pool(self, name: str) -> None:
        """Stop the preheated kernels of app `name` (they ran its previous version)."""
        km = self.kernel_manager
        pools = getattr(km, "_pools", {})
        pool = pools.pop(name, [])
        km.notebook_data.pop(name, None)
        for task in pool:
            try:
                result = await task
            except Exception:
                continue
            result["task"].cancel()
            if result["kernel_id"] in km:
                await ensure_async(km.shutdown_kernel(result["kernel_id"], now=True))

    async def refresh(self) -> None:
        if self._refreshing:  # a slow catalogue: never two passes at once
            return
        self._refreshing = True
        try:
            await self._refresh()
        finally:
            self._refreshing = False

    def _prune_pools(self) -> None:
        """Forget preheated kernels that died in the pool (killed, out of memory), refill."""
        km = self.kernel_manager
        for name, pool in list(getattr(km, "_pools", {}).items()):
            dead = [
                task
                for task in pool
                if task.done()
                and (task.cancelled() or task.exception() or task.result()["kernel_id"] not in km)
            ]
            for task in dead:
                pool.remove(task)
            if dead:
                self.log.warning("apps: %d dead preheated kernels of %s replaced", len(dead), name)
                km.fill_if_needed(delay=0, notebook_name=name)

    async def _refresh(self) -> None:
        self._prune_pools()
        report = await asyncio.to_thread(self.sync_now)
        removed = remove_dead_scratch(Path(self.scratch_root))
        if removed:
            self.log.debug("apps: removed %d scratch folders", len(removed))
        if report is None:
            return
        for uid in report.updated + report.removed:
            await self._drain_pool(notebook_name(uid))
        if self.voila_configuration.preheat_kernel:
            for uid in report.added + report.updated:
                self.kernel_manager.fill_if_needed(delay=0, notebook_name=notebook_name(uid))

    def listen(self) -> None:
        def every_poll() -> None:
            asyncio.ensure_future(self.refresh())

        PeriodicCallback(every_poll, self.poll_seconds * 1000).start()
        super().listen()

    @observe("connection_dir")
    def _connection_dir_made(self, change) -> None:
        # Voilà makes it (0700) as it starts, before any kernel
        if self.sockets_for_kernels and change.new:
            open_for_sockets(Path(change.new))

    def start(self) -> None:
        Path(self.root_dir).mkdir(parents=True, exist_ok=True)
        self.catalogue = CatalogueApps(self.catalogue_url, Path(self.root_dir))
        # before Voilà starts: its kernel manager preheats every notebook it finds
        self.sync_now()
        super().start()

    def stop(self) -> None:
        try:
            super().stop()
        finally:
            shutil.rmtree(self.scratch_root, ignore_errors=True)


def open_for_sockets(folder: Path) -> Path:
    """Let kernels without network bind their Unix sockets in `folder`, where the connection
    files are: any account may create a socket there (they run as the kernels' account),
    none may list the folder or remove another's file (the files stay 0600, the service's)."""
    os.chmod(folder, 0o1733)
    return folder


def service_config(
    args: argparse.Namespace, scratch: Path, account: str, isolate: bool = False
) -> Config:
    """The service's configuration; `isolate`: kernels without network, on Unix sockets in
    the folder of their connection files (Voilà makes it in `scratch`)."""
    c = Config()
    c.Voila.ip = args.ip
    c.Voila.port = args.port
    c.Voila.port_retries = 0
    c.Voila.open_browser = False
    c.Voila.base_url = args.base_url
    c.Voila.root_dir = str(args.apps_dir)
    c.AppsVoila.catalogue_url = args.catalogue_url
    c.AppsVoila.gallery_url = args.gallery_url
    c.AppsVoila.poll_seconds = args.poll
    c.AppsVoila.scratch_root = str(scratch)
    c.AppsVoila.anonymous = args.anonymous
    resources = app_resources(args.language, args.gallery_url)
    # Voilà's error pages (page.html, error.html) read `imaginecole` from here
    c.Voila.tornado_settings = {"jinja_template_vars": resources}
    c.VoilaConfiguration.template = TEMPLATE
    c.VoilaConfiguration.resources = resources
    c.VoilaConfiguration.show_tracebacks = False
    c.VoilaConfiguration.extension_denylist = UNUSED_EXTENSIONS
    c.VoilaConfiguration.preheat_kernel = args.pool_size > 0
    c.VoilaConfiguration.default_pool_size = args.pool_size
    c.VoilaConfiguration.kernel_spec_manager_class = AppKernelSpecManager
    # without a timeout, concurrent openings sometimes hang forever
    c.VoilaExecutor.timeout = args.cell_timeout
    c.VoilaExecutor.startup_timeout = 120
    c.MappingKernelManager.cull_idle_timeout = args.idle_kernel
    c.MappingKernelManager.cull_interval = max(10, min(60, args.idle_kernel // 2))
    # a learner's tab left open still holds its kernel: cull it when idle all the same
    c.MappingKernelManager.cull_connected = True
    c.MappingKernelManager.cull_busy = False
    # a kernel that died (memory, CPU time) is not restarted empty: it is removed, and
    # the page says the app stopped
    c.KernelRestarter.restart_limit = 0
    c.AppKernelSpecManager.mem_limit_mb = args.mem_mb
    c.AppKernelSpecManager.cpu_limit_seconds = args.cpu_seconds
    c.AppKernelSpecManager.scratch_dir = str(scratch)
    c.AppKernelSpecManager.account = account
    c.Voila.connection_dir_root = str(scratch)
    if isolate:
        c.AppKernelSpecManager.no_network = True
        c.KernelManager.transport = "ipc"
        c.AppsVoila.sockets_for_kernels = True
    if not args.anonymous:
        c.Voila.identity_provider_class = "imaginecole.apps.identity.ServiceIdentityProvider"
    return c


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m imaginecole.apps.service",
        description=_("Serve the catalogue's published notebook apps with preheated Voilà."),
    )
    p.add_argument("--apps-dir", type=Path, required=True, help=_("Folder of the apps' notebooks."))
    p.add_argument("--catalogue-url", required=True, help=_("The catalogue to read apps from."))
    p.add_argument("--gallery-url", default="/services/catalogue/", help=_("The apps gallery."))
    p.add_argument("--ip", default="127.0.0.1", help=_("Address to listen on."))
    p.add_argument("--port", type=int, default=8866, help=_("Port to listen on."))
    p.add_argument("--base-url", default="/", help=_("URL prefix, e.g. /services/apps/."))
    p.add_argument("--language", default="fr", choices=["fr", "en", "ar"], help=_("Language."))
    p.add_argument("--poll", type=int, default=30, help=_("Seconds between catalogue reads."))
    p.add_argument(
        "--pool-size", type=int, default=2, help=_("Preheated kernels per app (0: none).")
    )
    p.add_argument("--cell-timeout", type=int, default=60, help=_("Cell timeout in seconds."))
    p.add_argument("--idle-kernel", type=int, default=1200, help=_("Idle kernel culling (s)."))
    p.add_argument("--mem-mb", type=int, default=1024, help=_("Memory limit per kernel (MB)."))
    p.add_argument("--cpu-seconds", type=int, default=600, help=_("CPU limit per kernel (s)."))
    p.add_argument(
        "--kernel-account",
        default=KERNEL_ACCOUNT,
        help=_("Account the kernels run as when the service runs as root."),
    )
    p.add_argument(
        "--anonymous",
        action="store_true",
        help=_("No sign-in: anyone who reaches the service may open the apps."),
    )
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    if not args.anonymous and not os.environ.get("JUPYTERHUB_API_TOKEN"):
        sys.exit(
            _(
                "The apps service signs people in with JupyterHub, but it was not started by "
                "the hub (no JUPYTERHUB_API_TOKEN). Start it with `imaginecole up`, or pass "
                "--anonymous to serve the apps without sign-in."
            )
        )
    account = ""
    if os.geteuid() == 0:
        from imaginecole.hub.spawner import ensure_account

        account = ensure_account(args.kernel_account).pw_name
    isolate = bool(account) and network_isolation_available()
    if not isolate:
        print(
            _(
                "apps: the kernels can reach the network (this needs the service to run as "
                "root, on a system that allows network namespaces)."
            ),
            file=sys.stderr,
        )
    args.apps_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="ic-apps-"))
    os.chmod(scratch, 0o711)
    app = AppsVoila(config=service_config(args, scratch, account, isolate))
    app.initialize([str(args.apps_dir)])
    app.start()


if __name__ == "__main__":
    main()
