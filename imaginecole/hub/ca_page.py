"""The public page where participants get the workshop CA: /hub/imaginecole/ca.

It serves the CA certificate in PEM (Firefox, ChromeOS, iPhone) and DER (.crt: Android,
Windows), its SHA-256 fingerprint (the trainer reads it aloud: the copy a device installs
must be the trainer's, not one slipped in on the LAN) and how to install it, in the
workshop language. No login: devices need it before they trust the hub.
"""

from __future__ import annotations

from pathlib import Path

from jupyterhub.handlers.base import BaseHandler

from .tls import der_bytes, fingerprint

# paths inside the hub prefix (/hub/)
CA_PAGE = "/hub/imaginecole/ca"
CA_FILENAME = "imaginecole-workshop-ca"


class CAPageHandler(BaseHandler):
    """The instructions page, with the fingerprint and the two downloads."""

    def initialize(self, ca_path: str) -> None:
        self.ca_path = Path(ca_path)

    async def get(self) -> None:
        html = await self.render_template(
            "imaginecole_ca.html",
            ca_fingerprint=fingerprint(self.ca_path),
            ca_pem_url=f"{CA_PAGE}/{CA_FILENAME}.pem",
            ca_der_url=f"{CA_PAGE}/{CA_FILENAME}.crt",
        )
        self.finish(html)


class CAFileHandler(BaseHandler):
    """The CA certificate itself, as PEM or DER."""

    def initialize(self, ca_path: str) -> None:
        self.ca_path = Path(ca_path)

    def get(self, extension: str) -> None:
        if extension == "pem":
            body, kind = self.ca_path.read_bytes(), "application/x-pem-file"
        else:
            body, kind = der_bytes(self.ca_path), "application/x-x509-ca-cert"
        self.set_header("Content-Type", kind)
        self.set_header("Content-Disposition", f'attachment; filename="{CA_FILENAME}.{extension}"')
        self.set_header("Cache-Control", "no-cache")
        self.finish(body)


def ca_handlers(ca_path: Path) -> list[tuple]:
    """Handlers for `c.JupyterHub.extra_handlers` (JupyterHub adds the /hub/ prefix)."""
    args = {"ca_path": str(ca_path)}
    return [
        (r"/imaginecole/ca", CAPageHandler, args),
        (rf"/imaginecole/ca/{CA_FILENAME}\.(pem|crt)", CAFileHandler, args),
    ]
