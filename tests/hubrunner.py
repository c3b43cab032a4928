"""A real workshop hub on 127.0.0.1 for tests: `imaginecole up` in a subprocess."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROSTER = """username,full_name,email,role,country,team
moussa.ba,Moussa Ba,,teacher,SN,Les Baobabs
fatou.sow,Fatou Sow,,teacher,SN,Les Baobabs
Kofi Mensah,Kofi Mensah,,teacher,TG,Les Fromagers
"""


def write_workshop(folder: Path, auth: str = "  mode: first-use\n", language: str = "fr") -> Path:
    (folder / "roster.csv").write_text(ROSTER, encoding="utf-8")
    path = folder / "workshop.yaml"
    path.write_text(
        "schema_version: 1\n"
        "workshop:\n  name: Atelier d'essai Dakar\n  country: SN\n"
        f"  language: {language}\n"
        "trainers:\n  - username: formatrice\n    full_name: Awa Diop\n"
        "roster: roster.csv\n"
        f"auth:\n{auth}"
        "spawn:\n  prespawn_parallel: 2\n",
        encoding="utf-8",
    )
    return path


@dataclass
class Hub:
    workshop: Path
    data: Path
    port: int
    log: Path
    extra_args: list[str] = field(default_factory=list)
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, deadline: float = 120) -> None:
        cmd = [sys.executable, "-m", "imaginecole", "up", str(self.workshop)]
        cmd += ["--data", str(self.data), "--port", str(self.port), *self.extra_args]
        offset = self.log.stat().st_size if self.log.exists() else 0
        self._log = self.log.open("ab")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT)
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            if b"Ctrl-C" in self.log.read_bytes()[offset:]:
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"imaginecole up did not start: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=90)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()

    def api_token(self) -> str:
        return (self.data / "secrets" / "supervisor_api_token").read_text().strip()

    def api(self, path: str) -> requests.Response:
        return requests.get(
            f"{self.url}/hub/api{path}",
            headers={"Authorization": f"token {self.api_token()}"},
            timeout=30,
        )

    def api_post(self, path: str) -> requests.Response:
        return requests.post(
            f"{self.url}/hub/api{path}",
            headers={"Authorization": f"token {self.api_token()}"},
            timeout=30,
        )

    def login(self, username: str, password: str) -> requests.Session:
        session = requests.Session()
        session.get(f"{self.url}/hub/login", timeout=30)
        response = session.post(
            f"{self.url}/hub/login",
            data={"username": username, "password": password, "_xsrf": session.cookies["_xsrf"]},
            allow_redirects=False,
            timeout=60,
        )
        if response.status_code != 302:
            raise AssertionError(f"login of {username} failed: {response.status_code}")
        # as a browser does: following the redirect starts the server
        session.get(requests.compat.urljoin(self.url, response.headers["Location"]), timeout=60)
        return session

    def wait_server(self, username: str, deadline: float = 180) -> None:
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            info = self.api(f"/users/{username}").json()
            if info["servers"].get("", {}).get("ready"):
                return
            time.sleep(0.3)
        raise TimeoutError(f"server of {username} not ready:\n{self.log.read_text()[-4000:]}")


def get_following_oauth(session: requests.Session, url: str) -> requests.Response:
    """GET `url`, confirming the hub's OAuth page when one user opens another's server."""
    response = session.get(url, timeout=120)
    if 'action="' in response.text and "oauth2/authorize" in response.url:
        action = re.search(r'<form[^>]*action="([^"]*)"', response.text)
        fields = re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', response.text)
        target = requests.compat.urljoin(response.url, action.group(1).replace("&amp;", "&"))
        response = session.post(target, data=fields, timeout=120)
    return response


def process_alive(pattern: str) -> list[str]:
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if pattern in line and "ps -eo" not in line]


os.environ.setdefault("PYTHONUNBUFFERED", "1")
