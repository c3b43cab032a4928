"""Workshop-code login: teachers type the workshop code, trainers their own code.

JupyterHub's SharedPasswordAuthenticator cannot tell trainers apart without
making them hub admins, so trainers get a separate code here and their
permissions come from the `trainer` role, not from the admin flag.
"""

from __future__ import annotations

from hmac import compare_digest

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
