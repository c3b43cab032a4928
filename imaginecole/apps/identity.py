"""Hub sign-in for standalone Voilà running as a JupyterHub service.

JupyterHub's own identity provider returns its handlers (``/oauth_callback``,
``/logout``) relative to the server's base URL, and jupyter_server prefixes them.
Standalone Voilà adds them to its application as they are, so the hub's redirect to
``/services/apps/oauth_callback`` found no handler. This subclass returns them under
the service prefix.
"""

from __future__ import annotations

from urllib.parse import urlparse

from jupyter_server.utils import url_path_join
from jupyterhub.singleuser.extension import JupyterHubIdentityProvider


class ServiceIdentityProvider(JupyterHubIdentityProvider):
    """JupyterHub OAuth for a service: the callback is registered under its prefix."""

    def __init__(self, **kwargs):
        # Voilà passes `token` (empty: no token login); the hub's provider reads its token
        # from the service's environment and has no setter for it
        kwargs.pop("token", None)
        super().__init__(**kwargs)

    def get_handlers(self) -> list[tuple]:
        callback = urlparse(self.hub_auth.oauth_redirect_uri).path
        handlers = []
        for path, *rest in super().get_handlers():
            if path == "/oauth_callback":
                path = callback
            else:
                path = url_path_join(self.hub_auth.base_url, path)
            handlers.append((path, *rest))
        return handlers
