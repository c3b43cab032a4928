"""`imaginecole catalogue serve|token|publish|review` end to end, as separate processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from imaginecole.ports import free_loopback_port

from ...unit.catalogue.webserver import make_bundle

pytestmark = pytest.mark.integration


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("IMAGINECOLE_CATALOGUE_")}
    return subprocess.run(
        [sys.executable, "-m", "imaginecole", "catalogue", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**clean, **(env or {})},
    )


class Server:
    def __init__(self, data: Path, *extra: str) -> None:
        self.port = free_loopback_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = (data.parent / f"serve-{self.port}.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "imaginecole", "catalogue", "serve", "--data", str(data)]
            + ["--port", str(self.port), *extra],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.close()
                output = (data.parent / f"serve-{self.port}.log").read_text()
                raise RuntimeError(f"catalogue serve exited:\n{output[-2000:]}")
            try:
                if requests.get(self.url + "api/", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("catalogue serve did not answer within 60 s")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(30)
        self.log.close()
        return self.process.returncode


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    data = tmp_path_factory.mktemp("cli") / "data"
    tokens = {}
    for name, role in (("awa", "teacher"), ("mariam", "reviewer")):
        result = cli("token", "--data", str(data), "--role", role, "--name", name)
        assert result.returncode == 0, result.stderr
        assert name in result.stderr  # the explanation goes to stderr, the token alone to stdout
        tokens[name] = result.stdout.strip()
        assert len(tokens[name].splitlines()) == 1 and len(tokens[name]) >= 20
    server = Server(data, "--max-upload-mb", "1")
    server.tokens = tokens
    yield server
    assert server.stop() == 0, "serve should stop cleanly on SIGTERM"


def test_publish_then_review_from_the_command_line(served, tmp_path):
    bundle = make_bundle(tmp_path / "formes", title="Formes du CLI")
    published = cli(
        "publish",
        str(bundle),
        "--url",
        served.url,
        f"--token={served.tokens['awa']}",
        "--note",
        "Pour le CE1",
    )
    assert published.returncode == 0, published.stderr
    assert "submitted" in published.stdout
    page = published.stdout.strip().splitlines()[-1]
    assert page.startswith(served.url + "r/")
    uid = page.rsplit("/", 1)[1]

    env = {"IMAGINECOLE_CATALOGUE_URL": served.url}
    listing = cli("review", "list", f"--token={served.tokens['mariam']}", env=env)
    assert listing.returncode == 0 and uid in listing.stdout and "Formes du CLI" in listing.stdout
    refused = cli("review", "approve", uid, f"--token={served.tokens['awa']}", env=env)
    assert refused.returncode == 1 and "403" in refused.stderr and "[en]" in refused.stderr
    approved = cli(
        "review",
        "approve",
        uid,
        "--comment",
        "Parfait",
        f"--token={served.tokens['mariam']}",
        env=env,
    )
    assert approved.returncode == 0 and "published" in approved.stdout
    assert requests.get(served.url + f"api/resources/{uid}").json()["state"] == "published"

    second = cli("publish", str(bundle), f"--token={served.tokens['awa']}", env=env)
    assert "version 2" in second.stdout
    changes = cli(
        "review",
        "request-changes",
        uid,
        "--comment",
        "Ajoutez un indice",
        f"--token={served.tokens['mariam']}",
        env=env,
    )
    assert changes.returncode == 0 and "changes_requested" in changes.stdout


def test_clear_errors_in_two_languages(served, tmp_path):
    bundle = make_bundle(tmp_path / "b")
    bad = cli("publish", str(bundle), "--url", served.url, "--token=not-a-token")
    assert bad.returncode == 1 and "401" in bad.stderr and "[en]" in bad.stderr
    closed = f"http://127.0.0.1:{free_loopback_port()}/"
    down = cli("publish", str(bundle), "--url", closed, "--token=x")
    assert down.returncode == 1
    assert "Impossible de joindre le catalogue" in down.stderr and "Cannot reach" in down.stderr
    (bundle / "media" / "big.bin").write_bytes(os.urandom(1_200_000))
    big = cli("publish", str(bundle), "--url", served.url, f"--token={served.tokens['awa']}")
    assert big.returncode == 1 and "1 Mo" in big.stderr
    missing = cli("review", "list", "--url", served.url)
    assert missing.returncode == 1 and "--token" in missing.stderr
    not_bundle = cli("publish", str(tmp_path), "--url", served.url, "--token=x")
    assert not_bundle.returncode == 1 and "manifest.json" in not_bundle.stderr
    # every answer of the server becomes a clear message, never a Python error
    env = {"IMAGINECOLE_CATALOGUE_URL": served.url}
    unknown = cli("review", "approve", "no-such-uid", f"--token={served.tokens['mariam']}", env=env)
    assert unknown.returncode == 1 and "404" in unknown.stderr and "[en]" in unknown.stderr
    invalid = make_bundle(tmp_path / "invalid", country="XX")
    refused = cli("publish", str(invalid), f"--token={served.tokens['awa']}", env=env)
    assert refused.returncode == 1 and "400" in refused.stderr
    assert "Le grain envoyé (bundle.zip) n'est pas valide" in refused.stderr
    for result in (unknown, refused):
        assert "Traceback" not in result.stderr and "TypeError" not in result.stderr


def test_tokens_work_as_a_separate_argument(served):
    """Tokens never start with "-", so `--token T` is not read as an option."""
    env = {"IMAGINECOLE_CATALOGUE_URL": served.url}
    listing = cli("review", "list", "--token", served.tokens["mariam"], env=env)
    assert listing.returncode == 0, listing.stderr


def test_serve_hub_mode_needs_the_hub_variables(tmp_path):
    result = cli("serve", "--hub", "--data", str(tmp_path / "data"))
    assert result.returncode == 1
    assert "JUPYTERHUB_API_TOKEN" in result.stderr and "docs/catalogue.md" in result.stderr
