"""Workshop logins.

Workshop code: teachers type the workshop code, trainers their own code.

JupyterHub's SharedPasswordAuthenticator cannot tell trainers apart without
making them hub admins, so trainers get a separate code here and their
permissions come from the `trainer` role, not from the admin flag.
"""

from __future__ import annotations

import asyncio
import dbm
from hmac import compare_digest

import bcrypt
from firstuseauthenticator import FirstUseAuthenticator
from jupyterhub.auth import Authenticator
from traitlets import List, Unicode


class WorkshopCodeAuthenticator(Authenticator):
    code = Unicode("", config=True, help="Code that teachers of the roster type as their password.")
    trainer_code = Unicode(
        "", config=True, help="Code that trainers type; must differ from `code`."
    )
    trainers = List(Unicode(), config=True, help="Usernames that log in with `trainer_code`.")

    async def authenticate(self, handler, data):
        username = self.normalize_username(data.get("username", ""))
        password = data.get("password", "")
        expected = self.trainer_code if username in self.trainers else self.code
        if expected and compare_digest(password.encode(), expected.encode()):
            return {"name": username}
        return None


# 2^10 rounds: 0.1 s per hash instead of 0.4 s at bcrypt's default 12, so 30 first logins
# at once fit the 2 cores of a trainer's laptop; still a slow hash (OWASP's minimum is 10)
BCRYPT_ROUNDS = 10


class WorkshopFirstUseAuthenticator(FirstUseAuthenticator):
    """FirstUseAuthenticator with bcrypt off the hub's event loop.

    The stock class hashes in the event loop: in a storm of 30 first logins the
    hub stopped answering for seconds at a time. bcrypt releases the GIL, so
    worker threads also use both cores.
    """

    async def authenticate(self, handler, data):
        username = self.normalize_username(data["username"])
        password = data["password"].encode("utf8")
        if not self.create_users and not self._user_exists(username):
            return None
        with dbm.open(self.dbm_path, "c", 0o600) as db:
            stored = db.get(username.encode("utf8"))
        if stored is not None:
            ok = await asyncio.to_thread(bcrypt.checkpw, password, stored)
            return username if ok else None
        if not self._validate_password(data["password"]):
            # firstuseauthenticator's own wording, which the hub pages translate
            handler.custom_login_error = (
                "Password too short! Please choose a password at least "
                f"{self.min_password_length} characters long."
            )
            return None
        hashed = await asyncio.to_thread(bcrypt.hashpw, password, bcrypt.gensalt(BCRYPT_ROUNDS))
        with dbm.open(self.dbm_path, "c", 0o600) as db:
            # two first logins of one user at once: the first password set wins
            if username.encode("utf8") in db:
                return username if bcrypt.checkpw(password, db[username]) else None
            db[username] = hashed
        return username
