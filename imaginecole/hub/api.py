"""A small client of the hub's REST API, used by `up` and by trainers' commands."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import quote

import requests


@dataclass
class HubAPI:
    url: str  # e.g. http://127.0.0.1:8000/hub/api
    token: str

    def _call(self, method: str, path: str, timeout: float = 30, **kwargs) -> requests.Response:
        headers = {"Authorization": f"token {self.token}"}
        return requests.request(method, self.url + path, headers=headers, timeout=timeout, **kwargs)

    def ready(self) -> bool:
        try:
            return requests.get(self.url + "/", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def users(self, timeout: float = 30) -> list[dict]:
        response = self._call("GET", "/users", timeout=timeout, params={"limit": 1000})
        response.raise_for_status()
        return response.json()

    def running(self, timeout: float = 30) -> list[str]:
        return sorted(
            u["name"] for u in self.users(timeout) if u.get("servers", {}).get("", {}).get("ready")
        )

    def spawn(self, name: str, deadline: float = 300.0) -> float:
        """Start `name`'s server and wait until it answers; return seconds taken."""
        started = time.monotonic()
        response = self._call("POST", f"/users/{quote(name)}/server")
        if response.status_code not in (201, 202, 400):
            response.raise_for_status()
        while time.monotonic() - started < deadline:
            info = self._call("GET", f"/users/{quote(name)}").json()
            server = info.get("servers", {}).get("")
            if server and server.get("ready"):
                return time.monotonic() - started
            if not info.get("pending") and not server:
                raise RuntimeError(f"server for {name} failed to start")
            time.sleep(0.25)
        raise TimeoutError(f"server for {name} not ready after {deadline:.0f} s")


def spawn_many(api: HubAPI, names: list[str], parallel: int) -> dict[str, float | str]:
    """Start servers `parallel` at a time (spawning is CPU-bound); name -> seconds or error."""

    def one(name: str) -> float | str:
        try:
            return api.spawn(name)
        except Exception as exc:  # reported per user, the rest go on
            return f"{type(exc).__name__}: {exc}"

    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        return dict(zip(names, pool.map(one, names), strict=True))
