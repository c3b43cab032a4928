"""Isolated mode with pre-spawn: one OS account per participant, started before the session."""

import os
import pwd
import stat
import subprocess

import pytest

from imaginecole.hub.spawner import isolated_account

pytestmark = pytest.mark.integration

HUB_ARGS = ["--isolated", "--prespawn"]
ROSTER = ["moussa.ba", "fatou.sow", "kofi.mensah", "formatrice"]

if os.geteuid() != 0:
    pytest.skip("isolated mode needs root (CI runs as root)", allow_module_level=True)


def test_prespawn_started_every_server_of_the_roster(hub):
    for name in ROSTER:
        hub.wait_server(name, deadline=240)
    running = {u["name"] for u in hub.api("/users").json() if u["servers"].get("", {}).get("ready")}
    assert set(ROSTER) <= running


def test_each_participant_has_an_own_account_and_private_home(hub):
    for name in ROSTER:
        account = pwd.getpwnam(isolated_account(name))
        home = hub.data / "homes" / name
        info = home.stat()
        assert info.st_uid == account.pw_uid
        assert stat.S_IMODE(info.st_mode) == 0o700
        assert (home / "Lanceur.ipynb").exists()


def test_one_participant_cannot_read_anothers_files(hub):
    secret = hub.data / "homes" / "moussa.ba" / "brouillon.txt"
    secret.write_text("rien que pour moi")
    owner = pwd.getpwnam(isolated_account("moussa.ba"))
    os.chown(secret, owner.pw_uid, owner.pw_gid)
    as_fatou = subprocess.run(
        ["cat", str(secret)], user=isolated_account("fatou.sow"), capture_output=True, text=True
    )
    assert as_fatou.returncode != 0 and "rien" not in as_fatou.stdout
    as_moussa = subprocess.run(
        ["cat", str(secret)], user=isolated_account("moussa.ba"), capture_output=True, text=True
    )
    assert as_moussa.stdout == "rien que pour moi"
