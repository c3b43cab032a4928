"""The publish widget's client of the catalogue's JSON API, with errors a teacher can read.

Every failure (network down, refused key, too large, refused grain, server error) becomes a
`CatalogueError` holding a `Message` in every language, never a traceback. The catalogue's own
explanations (its ``messages`` in French, English and Arabic) are kept inside ours.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..i18n import Message

URL_ENV = "IMAGINECOLE_CATALOGUE_URL"
PUBLIC_URL_ENV = "IMAGINECOLE_CATALOGUE_PUBLIC_URL"
TOKEN_ENV = "IMAGINECOLE_CATALOGUE_TOKEN"
HUB_TOKEN_ENV = "JUPYTERHUB_API_TOKEN"
# connecting must be quick; publishing runs every exporter on the server, which takes a while
TIMEOUT = (5.0, 300.0)


def default_url(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return env.get(URL_ENV, "").strip()


def default_public_url(environ: Mapping[str, str] | None = None) -> str:
    """Where the teacher's browser finds the catalogue (through the hub's proxy)."""
    env = os.environ if environ is None else environ
    return env.get(PUBLIC_URL_ENV, "").strip() or default_url(env)


def default_token(environ: Mapping[str, str] | None = None) -> str:
    """A national catalogue's own key first, else the hub server's token."""
    env = os.environ if environ is None else environ
    return (env.get(TOKEN_ENV) or env.get(HUB_TOKEN_ENV) or "").strip()


class _Given(Message):
    """A text the catalogue already gave in several languages."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        super().__init__("")
        self.texts = dict(texts)

    def render(self, language: str) -> str:
        return self.texts.get(language) or self.texts.get("en") or ""


class CatalogueError(Exception):
    """What went wrong, for a person: `message`, and the refused fields (`problems`)."""

    def __init__(
        self,
        message: Message,
        status: int | None = None,
        problems: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.status = status
        self.problems = problems or []

    def render(self, language: str) -> str:
        return self.message.render(language)


class CatalogueClient:
    """GET and POST on ``<url>api/…`` with ``Authorization: token <token>``."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url.rstrip("/") + "/"
        self.token = token

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        import requests

        headers = {"Accept": "application/json", **kwargs.pop("headers", {})}
        if self.token:
            headers["Authorization"] = f"token {self.token}"
        try:
            response = requests.request(
                method, self.url + path, headers=headers, timeout=TIMEOUT, **kwargs
            )
        except requests.Timeout as exc:
            raise CatalogueError(
                Message(
                    "The catalogue took too long to answer. Try again in a moment; your grain "
                    "is saved."
                )
            ) from exc
        except requests.RequestException as exc:
            raise CatalogueError(
                Message(
                    "The catalogue cannot be reached ({url}). Check that the workshop is "
                    "running and that you are connected, then try again. Your grain is saved: "
                    "nothing is lost.",
                    url=self.url,
                )
            ) from exc
        if response.status_code >= 400:
            raise self.error(response)
        try:
            return response.json() if response.content else None
        except ValueError as exc:
            raise self.not_a_catalogue() from exc

    def not_a_catalogue(self) -> CatalogueError:
        return CatalogueError(
            Message(
                "The address {url} does not answer like a catalogue. Ask the trainer to check "
                "the catalogue's address.",
                url=self.url,
            )
        )

    def error(self, response) -> CatalogueError:
        status = response.status_code
        try:
            body = response.json()
            texts = body.get("messages") or {"en": str(body.get("message", ""))}
            problems = [p for p in body.get("problems") or [] if isinstance(p, dict)]
        except (ValueError, AttributeError):
            if status == 404 or status < 500:
                return self.not_a_catalogue()
            texts, problems = {}, []
        given = _Given(texts)
        if status == 401:
            message = Message(
                "The catalogue did not accept your access key (401): {reason} Reload the "
                "page; if it happens again, ask the trainer.",
                reason=given,
            )
        elif status == 403:
            message = Message(
                "Your account may not do this in the catalogue (403): {reason} Ask the trainer.",
                reason=given,
            )
        elif status == 404:
            message = Message(
                "The catalogue found nothing at this address (404): {reason}", reason=given
            )
        elif status == 413:
            message = Message(
                "The grain is too large for the catalogue (413): {reason}", reason=given
            )
        elif status < 500:
            message = Message("The catalogue refused the grain: {reason}", reason=given)
        else:
            message = Message(
                "The catalogue met an error ({status}). Try again later; if it goes on, tell "
                "the trainer.",
                status=status,
            )
        return CatalogueError(message, status, problems)

    # --- the calls the widget makes -----------------------------------------------------------
    def info(self) -> dict[str, Any]:
        try:
            data = self.request("GET", "api/")
        except CatalogueError as exc:
            if exc.status == 404:
                raise self.not_a_catalogue() from exc
            raise
        if not isinstance(data, dict) or "max_upload_bytes" not in data:
            raise self.not_a_catalogue()
        return data

    def publish(
        self,
        archive: Path,
        *,
        note: str = "",
        event: str | None = None,
        challenge: str | None = None,
    ) -> dict:
        """POST the zipped bundle `archive`; a bundle folder is zipped first (a module or
        parcours with every part inside, see imaginecole/sequence/pack.py)."""
        if Path(archive).is_dir():
            import tempfile

            from .publish import bundle_archive

            with tempfile.TemporaryDirectory(prefix="imaginecole-publish-") as work:
                zipped = bundle_archive(Path(archive), Path(work) / "bundle.zip")
                return self.publish(zipped, note=note, event=event, challenge=challenge)
        params = {"note": note}
        if event:
            params["event"] = event
        if event and challenge:  # the event's challenge the submission answers
            params["challenge"] = challenge
        with archive.open("rb") as fh:
            return self.request(
                "POST",
                "api/resources",
                data=fh,
                params=params,
                headers={"Content-Type": "application/zip"},
            )

    def events(self) -> list[dict[str, Any]]:
        """The catalogue's events (workshops, hackathons), each with what the caller is in it
        (``you``: participant, team); empty from a catalogue without events."""
        data = self.request("GET", "api/events")
        return [e for e in data if isinstance(e, dict)] if isinstance(data, list) else []

    def submissions(self) -> list[dict[str, Any]]:
        data = self.request("GET", "api/me/submissions")
        if not isinstance(data, list):
            raise self.not_a_catalogue()
        return data
