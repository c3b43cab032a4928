"""Published notebook apps through the hub: publish, sync, open in Chromium, move the slider.

A real `imaginecole up` (hub, proxy, catalogue, apps service); a teacher publishes the sample
app (notebooks/examples/app-fractions) and two broken ones through the catalogue's API, the
trainer approves them, the apps service takes them from the catalogue, and another teacher,
signed in to the hub only, opens them in Debian's Chromium.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import psutil
import pytest
import requests
from imaginecole.exports.pdf import CHROMIUM, CHROMIUM_ARGS
from imaginecole.widgets.publish import bundle_archive

from imaginecole.ports import free_loopback_port

from ..browser.conftest import axe_violations
from ..hubrunner import Hub, write_workshop
from ..unit.apps.test_sync import app_bundle

pytestmark = [pytest.mark.integration, pytest.mark.browser]

PASSWORD = "baobab-sous-le-soleil"
REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "notebooks" / "examples" / "app-fractions"
APPS = "/services/apps/"
CATALOGUE = "/services/catalogue/"
RENDER = 120_000  # ms for an app to be drawn
LOOP = "import os\nwhile 'VOILA_PREHEAT' in os.environ:\n    pass\n"
WORKSHOP = [
    "import ipywidgets as widgets\nfrom IPython.display import HTML, display\n\n\n"
    "def carre(n):\n"
    "    print(f'{n} × {n} = {n * n}')\n"
    "    display(HTML(f'<p class=\"carre\">Carré : {n * n}</p>'))\n\n\n"
    "widgets.interact(carre, n=widgets.IntSlider(value=3, min=0, max=10, description='Nombre'))",
    "journal = widgets.Output()\n"
    "bouton = widgets.Button(description='Compter', icon='plus')\n"
    "clics = []\n\n\n"
    "@journal.capture(clear_output=True)\n"
    "def compter(_):\n"
    "    clics.append(1)\n"
    "    print(f'Clics : {len(clics)}')\n\n\n"
    "bouton.on_click(compter)\n"
    "display(widgets.VBox([bouton, journal]))",
    "import anywidget\nimport traitlets\n\n\n"
    "class Etoiles(anywidget.AnyWidget):\n"
    '    _esm = """export default { render({ model, el }) {\n'
    "      const b = document.createElement('button');\n"
    "      const show = () => { b.textContent = `Étoiles : ${model.get('n')}`; };\n"
    "      b.addEventListener('click', () => { model.set('n', model.get('n') + 1); "
    "model.save_changes(); });\n"
    "      model.on('change:n', show); show(); el.appendChild(b);\n"
    '    } }"""\n'
    "    n = traitlets.Int(0).tag(sync=True)\n\n\n"
    "etoiles = Etoiles()\n"
    "double = widgets.HTML('<p class=\"double\">0</p>')\n"
    "etoiles.observe(\n"
    "    lambda c: setattr(double, 'value', f'<p class=\"double\">{2 * c[\"new\"]}</p>'),\n"
    "    names='n',\n"
    ")\n"
    "display(etoiles, double)",
    "boite = widgets.Output()\n"
    "with boite:\n"
    "    display(widgets.IntSlider(value=5, description='Dans la boîte'))\n"
    "display(boite)",
]
APPS_OPTIONS = """apps:
  poll_seconds: 5
  cell_timeout_seconds: 10
  pool_size: 1
"""


def start_hub(extra: str = "") -> Hub:
    # the unprivileged accounts must reach the homes: a folder they can traverse
    folder = Path(tempfile.mkdtemp(prefix="imaginecole-apps-"))
    folder.chmod(0o755)
    workshop = write_workshop(folder)
    workshop.write_text(workshop.read_text("utf-8") + APPS_OPTIONS + extra, "utf-8")
    hub = Hub(workshop, folder / "data", free_loopback_port(size=5), folder / "up.log")
    hub.start()
    return hub


@pytest.fixture(scope="module")
def hub():
    running = start_hub()
    yield running
    running.stop()
    shutil.rmtree(running.workshop.parent, ignore_errors=True)


def server_token(hub: Hub, user: str) -> str:
    """The API token of `user`'s running server (it may call the catalogue as its user)."""
    for proc in psutil.process_iter(["cmdline", "environ"]):
        env = proc.info["environ"] or {}
        if env.get("JUPYTERHUB_USER") == user and str(hub.data) in env.get("HOME", ""):
            if any("jupyterhub-singleuser" in p for p in proc.info["cmdline"] or []):
                return env["JUPYTERHUB_API_TOKEN"]
    raise AssertionError(f"no running server for {user}")


def signed_in(hub: Hub, user: str) -> requests.Session:
    """Signed in to the hub, without starting a server (as a learner who only opens apps)."""
    session = requests.Session()
    session.get(f"{hub.url}/hub/login", timeout=30)
    response = session.post(
        f"{hub.url}/hub/login",
        data={"username": user, "password": PASSWORD, "_xsrf": session.cookies["_xsrf"]},
        allow_redirects=False,
        timeout=60,
    )
    assert response.status_code == 302, response.text
    return session


def publish(hub: Hub, token: str, folder: Path) -> str:
    archive = bundle_archive(folder, folder.with_suffix(".zip"))
    response = requests.post(
        f"{hub.url}{CATALOGUE}api/resources",
        data=archive.read_bytes(),
        headers={"Authorization": f"token {token}", "Content-Type": "application/zip"},
        timeout=600,
    )
    assert response.status_code == 201, response.text
    return response.json()["uid"]


def publish_approved(hub: Hub, bundles: dict[str, Path]) -> dict[str, str]:
    """Moussa publishes `bundles`, the trainer approves them, the apps service takes them."""
    for name in ("moussa.ba", "formatrice"):
        hub.login(name, PASSWORD)
        hub.wait_server(name)
    teacher, trainer = server_token(hub, "moussa.ba"), server_token(hub, "formatrice")
    uids = {name: publish(hub, teacher, folder) for name, folder in bundles.items()}
    for uid in uids.values():
        approved = requests.post(
            f"{hub.url}{CATALOGUE}api/resources/{uid}/review",
            json={"action": "approve"},
            headers={"Authorization": f"token {trainer}"},
            timeout=60,
        )
        assert approved.status_code == 200, approved.text
    folder = hub.data / "apps" / "notebooks"
    deadline = time.monotonic() + 90
    while not all((folder / f"{uid}.ipynb").exists() for uid in uids.values()):
        assert time.monotonic() < deadline, f"apps not synced:\n{hub.log.read_text()[-4000:]}"
        time.sleep(0.5)
    return uids


@pytest.fixture(scope="module")
def apps(hub, tmp_path_factory):
    """Four apps published by Moussa and approved by the trainer: their uids by name."""
    # a teacher's private notes, as the spawner leaves his home (his account, 0750)
    hub.login("moussa.ba", PASSWORD)
    hub.wait_server("moussa.ba")
    notes = hub.data / "homes" / "moussa.ba" / "notes.txt"
    notes.write_text("mes notes", "utf-8")
    owner = notes.parent.stat()
    os.chown(notes, owner.st_uid, owner.st_gid)
    work = tmp_path_factory.mktemp("apps")
    return publish_approved(
        hub,
        {
            "fractions": app_bundle(work / "fractions", "Les fractions"),
            # runs anywhere but where apps run: there it may not read a teacher's home
            "crash": app_bundle(work / "crash", "Les notes", f"print(open({str(notes)!r}).read())"),
            # loops only under Voilà (which sets VOILA_PREHEAT in its kernels)
            "loop": app_bundle(work / "loop", "La boucle", LOOP),
            # interact, an Output widget, a button, an anywidget: what hackathon teams write most
            "atelier": app_bundle(work / "atelier", "L'atelier des carrés", WORKSHOP),
        },
    )


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def learner_page(hub, browser):
    """A page of Fatou's browser, signed in to the hub (her server is not started)."""
    session = signed_in(hub, "fatou.sow")
    context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 740})
    context.add_cookies(
        [
            {"name": c.name, "value": c.value, "domain": "127.0.0.1", "path": c.path}
            for c in session.cookies
            if c.name.startswith("jupyterhub")
        ]
    )
    outside: list[str] = []

    def guard(route):
        if route.request.url.startswith(hub.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.outside = outside
    yield page
    context.close()


# as the page's scripts ask: with the _xsrf token the hub's sign-in wants from scripts
FETCH_STATUS = r"""async (url) => {
    const xsrf = (document.cookie.match("\\b_xsrf=([^;]*)\\b") || [])[1] || "";
    return (await fetch(url, {headers: {"X-XSRFToken": xsrf}})).status;
}"""


def kernel_gone(page, deadline: float = 30) -> bool:
    config = json.loads(page.locator("#jupyter-config-data").text_content())
    url = f"{config['baseUrl']}api/kernels/{config['kernelId']}"
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if page.evaluate(FETCH_STATUS, url) == 404:
            return True
        time.sleep(0.5)
    return False


def test_the_apps_service_runs_with_the_hub_and_asks_to_sign_in(hub):
    lines = [
        " ".join(p.info["cmdline"] or [])
        for p in psutil.process_iter(["cmdline"])
        if "imaginecole.apps.service" in " ".join(p.info["cmdline"] or [])
    ]
    assert any(str(hub.data / "apps") in line for line in lines), lines
    # not signed in: sent to the hub's login, never to a Voilà page
    response = requests.get(f"{hub.url}{APPS}voila/render/x.ipynb", timeout=30)
    assert response.url.startswith(f"{hub.url}/hub/login"), response.url


def test_a_learner_opens_a_published_app_and_moves_the_slider(hub, apps, learner_page):
    page = learner_page
    page.goto(f"{hub.url}{APPS}voila/render/{apps['fractions']}.ipynb")
    # hub OAuth without a confirmation page, back to the app
    assert page.url == f"{hub.url}{APPS}voila/render/{apps['fractions']}.ipynb"
    assert page.locator("html").get_attribute("lang") == "fr"
    fraction = page.locator(".fraction")
    fraction.wait_for(timeout=RENDER)
    assert fraction.text_content() == "3/8 = 0,375"
    handle = page.get_by_role("slider").first
    handle.focus()
    page.keyboard.press("ArrowRight")
    # the kernel computed the new drawing: the app is live
    page.wait_for_function(
        "() => document.querySelector('.fraction').textContent === '4/8 = 0,5'", timeout=30_000
    )
    assert page.outside == []  # no CDN
    # no horizontal scrolling on a 360 px phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # it ran on a preheated kernel, drawn by the apps' own front end, not Voilà's
    assert "Using pre-heated kernel" in hub.log.read_text(errors="replace")
    assert page.locator("script[src$='/app.js']").count() == 1
    assert page.locator("script[src$='/voila.js']").count() == 0
    assert axe_violations(page) == []


def test_interact_an_output_widget_a_button_and_an_anywidget_work_live(hub, apps, learner_page):
    page = learner_page
    page.goto(f"{hub.url}{APPS}voila/render/{apps['atelier']}.ipynb")
    # what the preheated run printed and displayed is there at once (the Output widget's state)
    square = page.locator(".widget-output .carre")
    square.wait_for(timeout=RENDER)
    assert square.text_content() == "Carré : 9"
    assert "3 × 3 = 9" in page.locator(".widget-output").first.text_content()
    slider = page.get_by_role("slider", name="Nombre")
    slider.focus()
    page.keyboard.press("ArrowRight")
    # interact cleared its output and the kernel's new print and HTML replaced it
    page.wait_for_function(
        "() => document.querySelector('.widget-output .carre').textContent === 'Carré : 16'",
        timeout=30_000,
    )
    assert "4 × 4 = 16" in page.locator(".widget-output").first.text_content()
    assert "3 × 3" not in page.locator(".widget-output").first.text_content()
    button = page.get_by_role("button", name="Compter")
    button.click()
    page.get_by_text("Clics : 1").wait_for(timeout=30_000)
    button.press("Enter")  # the keyboard works too
    page.get_by_text("Clics : 2").wait_for(timeout=30_000)
    assert page.get_by_text("Clics : 1").count() == 0  # capture(clear_output=True)
    # an anywidget: its own JavaScript, from the kernel's state, talks to the kernel
    stars = page.get_by_role("button", name="Étoiles : 0")
    stars.click()
    page.get_by_role("button", name="Étoiles : 1").wait_for(timeout=30_000)
    page.wait_for_function(
        "() => document.querySelector('.double').textContent === '2'", timeout=30_000
    )
    # a widget shown inside an Output widget is drawn too
    boxed = page.get_by_role("slider", name="Dans la boîte")
    assert float(boxed.get_attribute("aria-valuenow")) == 5
    assert page.outside == []
    assert axe_violations(page) == []


def test_an_app_that_fails_says_so_plainly_and_its_kernel_is_stopped(hub, apps, learner_page):
    page = learner_page
    page.goto(f"{hub.url}{APPS}voila/render/{apps['crash']}.ipynb")
    alert = page.locator(".ic-app-error[data-reason=error]")
    alert.wait_for(timeout=RENDER)
    assert alert.get_attribute("role") == "alert"
    assert "erreur" in alert.locator("h1").text_content()
    shown = page.locator("body").inner_text()
    # the kernel could not read the teacher's notes, and the learner sees no Python
    assert "mes notes" not in page.content()
    assert "Traceback" not in shown and "Voilà" not in shown and "Error" not in shown, shown
    assert kernel_gone(page)


def test_an_app_that_loops_is_stopped_at_the_cell_timeout(hub, apps, learner_page):
    page = learner_page
    page.goto(f"{hub.url}{APPS}voila/render/{apps['loop']}.ipynb")
    alert = page.locator(".ic-app-error[data-reason=timeout]")
    alert.wait_for(timeout=RENDER)
    assert re.search("trop de temps|trop longtemps", alert.text_content())
    assert kernel_gone(page)


def kernel_process(kernel_id: str) -> psutil.Process:
    """The process of the apps service's kernel `kernel_id`, found by its connection file."""
    wanted = f"kernel-{kernel_id}.json"
    for process in psutil.process_iter(["cmdline"]):
        if any(arg.endswith(wanted) for arg in process.info["cmdline"] or []):
            return process
    raise AssertionError(f"no process runs kernel {kernel_id}")


def test_a_kernel_that_dies_turns_the_page_into_a_plain_message(hub, apps, learner_page):
    page = learner_page
    page.goto(f"{hub.url}{APPS}voila/render/{apps['fractions']}.ipynb")
    page.locator(".fraction").wait_for(timeout=RENDER)
    config = json.loads(page.locator("#jupyter-config-data").text_content())
    kernel = kernel_process(config["kernelId"])
    # what the memory or CPU limit does to a kernel: it is killed
    assert kernel.username() != "root"
    kernel.kill()
    dead = page.locator("#ic-app-dead .ic-app-error[data-reason=stopped]")
    dead.wait_for(timeout=60_000)
    assert dead.get_attribute("role") == "alert"
    assert "arrêtée" in dead.locator("h1").text_content()
    assert page.locator("#ic-app-dead button").evaluate("b => b === document.activeElement")


@pytest.fixture(scope="module")
def anonymous_hub():
    running = start_hub("  anonymous: true\n")
    yield running
    running.stop()
    shutil.rmtree(running.workshop.parent, ignore_errors=True)


def test_anonymous_mode_opens_apps_to_visitors_without_an_account(anonymous_hub, browser, tmp_path):
    hub = anonymous_hub
    uid = publish_approved(hub, {"fractions": app_bundle(tmp_path / "f", "Les fractions")})
    uid = uid["fractions"]
    context = browser.new_context(locale="fr-FR")  # no hub cookie at all
    try:
        page = context.new_page()
        page.goto(f"{hub.url}{APPS}voila/render/{uid}.ipynb")
        assert page.url == f"{hub.url}{APPS}voila/render/{uid}.ipynb"  # no login page
        page.locator(".fraction").wait_for(timeout=RENDER)
        page.get_by_role("slider").first.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "() => document.querySelector('.fraction').textContent === '4/8 = 0,5'",
            timeout=30_000,
        )
        # read-only: Voilà passes a page's widget messages to its kernel, never code
        config = json.loads(page.locator("#jupyter-config-data").text_content())
        target = Path(tempfile.gettempdir()) / f"ic-visitor-{uuid.uuid4().hex}"
        assert page.evaluate(SEND_CODE, [config["baseUrl"], config["kernelId"], str(target)])
        assert not target.exists()
    finally:
        context.close()


# a visitor's script sends code, then kernel_info: the kernel handles a shell's messages in
# order, so once kernel_info is answered, code that went through would have run
SEND_CODE = """async ([base, kernel, path]) => {
    const url = location.origin.replace("http", "ws") + base + "api/kernels/" + kernel
        + "/channels?session_id=visitor";
    const ws = new WebSocket(url);
    await new Promise((resolve) => { ws.onopen = resolve; });
    const message = (type, content) => JSON.stringify({
        header: {msg_id: type + Math.random(), username: "visitor", session: "visitor",
                 msg_type: type, version: "5.3", date: new Date().toISOString()},
        parent_header: {}, metadata: {}, content, channel: "shell", buffers: []});
    const answered = new Promise((resolve) => {
        ws.onmessage = (event) => {
            if (JSON.parse(event.data).msg_type === "kernel_info_reply") resolve(true);
        };
    });
    ws.send(message("execute_request", {code: "open(" + JSON.stringify(path) + ", 'w').write('x')",
        silent: false, store_history: false, user_expressions: {}, allow_stdin: false,
        stop_on_error: true}));
    ws.send(message("kernel_info_request", {}));
    const done = await answered;
    ws.close();
    return done;
}"""


def test_a_hub_that_dies_does_not_leave_the_apps_service_or_its_kernels(hub, apps):
    """Last for this hub: it ends it. `imaginecole up` stops what the hub left behind."""

    def alive(procs):
        return [p for p in procs if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]

    service = [
        p
        for p in psutil.process_iter(["cmdline"])
        if "imaginecole.apps.service" in " ".join(p.info["cmdline"] or [])
        and str(hub.data / "apps") in " ".join(p.info["cmdline"] or [])
    ]
    assert service
    kernels = service[0].children(recursive=True)
    assert kernels, "the preheated kernels run"
    psutil.Process(int((hub.data / "jupyterhub.pid").read_text().strip())).kill()
    hub.proc.wait(timeout=120)
    assert not alive(service) and not alive(kernels)
