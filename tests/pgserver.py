"""A real PostgreSQL server for the tests: a throw-away cluster in a temporary folder.

Debian's ``postgresql`` package puts initdb and pg_ctl in
/usr/lib/postgresql/<version>/bin. The server listens on 127.0.0.1 on a free
port and keeps its unix socket in its own folder. PostgreSQL refuses to run as
root, so when the tests run as root the server runs as the ``postgres`` account
(``runuser -u postgres --``) and the folder belongs to it.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from imaginecole.ports import free_loopback_port

SERVER_ACCOUNT = "postgres"


class PostgresMissing(RuntimeError):
    pass


def find_bin_dir() -> Path:
    """The bin folder of the newest installed PostgreSQL server."""
    found = sorted(
        (Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if not found or not (found[-1] / "pg_ctl").exists():
        raise PostgresMissing(
            "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb, pg_ctl). "
            "Install the Debian package `postgresql` (it is in ./studio's APT list) and run "
            "the tests again."
        )
    return found[-1]


class PostgresServer:
    """initdb + pg_ctl start in a temporary folder; `stop()` removes everything."""

    def __init__(self) -> None:
        self.bin_dir = find_bin_dir()
        self.as_root = os.geteuid() == 0
        self.folder = Path(tempfile.mkdtemp(prefix="imaginecole-pg-"))
        self.data = self.folder / "data"
        self.socket_dir = self.folder / "socket"
        self.log = self.folder / "server.log"
        self.port = free_loopback_port()
        self.user = SERVER_ACCOUNT if self.as_root else pwd.getpwuid(os.geteuid()).pw_name
        self.started = False

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = list(args)
        if self.as_root:
            command = ["runuser", "-u", SERVER_ACCOUNT, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise RuntimeError(
                f"{' '.join(command)} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}\n{log}"
            )
        return result

    def start(self) -> PostgresServer:
        self.socket_dir.mkdir()
        self.folder.chmod(0o755)
        if self.as_root:
            account = pwd.getpwnam(SERVER_ACCOUNT)
            for path in (self.folder, self.socket_dir):
                os.chown(path, account.pw_uid, account.pw_gid)
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            self.user,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.socket_dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        # -w waits until the server accepts connections, with pg_ctl's own deadline (-t)
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
        )
        self.started = True
        return self

    def stop(self) -> None:
        if self.started:
            self._run(
                str(self.bin_dir / "pg_ctl"), "stop", "-m", "fast", "-w", "-D", str(self.data)
            )
            self.started = False
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def _admin(self, sql: str) -> None:
        import psycopg

        dsn = f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; returns its name."""
        name = name or f"test_{uuid.uuid4().hex[:12]}"
        self._admin(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
