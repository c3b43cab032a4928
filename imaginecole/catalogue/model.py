"""What the catalogue holds, as plain values: principals, resources, versions, files.

No SQLAlchemy here: the web layer, the OAI-PMH provider, the importer and the
hub widget all read these dataclasses; `db` maps them to tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

PERMISSIONS = ("read", "write", "review", "edit")  # edit = write news, manage records of others
ROLES: dict[str, set[str]] = {
    "teacher": {"read", "write"},
    "reviewer": {"read", "write", "review"},
    "editor": {"read", "write", "review", "edit"},
}
# hub custom scopes -> catalogue permissions
HUB_SCOPES = {
    "custom:catalogue:read": "read",
    "custom:catalogue:write": "write",
    "custom:catalogue:review": "review",
}


@dataclass(frozen=True)
class Principal:
    """Who is asking: an account name and what it may do."""

    name: str  # username ("" for anonymous)
    permissions: frozenset[str]
    display_name: str = ""

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def anonymous(self) -> bool:
        return not self.name


ANONYMOUS = Principal("", frozenset({"read"}))


def principal_for_role(name: str, role: str, display_name: str = "") -> Principal:
    """The principal of an account holding `role` (teacher, reviewer, editor)."""
    return Principal(name, frozenset(ROLES[role]), display_name or name)


def principal_for_scopes(name: str, scopes: Iterable[str], display_name: str = "") -> Principal:
    """The principal of a hub user from its OAuth scopes; in hub mode `review` implies `edit`."""
    permissions = {HUB_SCOPES[s] for s in scopes if s in HUB_SCOPES}
    if "review" in permissions:
        permissions.add("edit")
    if permissions:
        permissions.add("read")
    return Principal(name, frozenset(permissions or {"read"}), display_name or name)


# version states
SUBMITTED, IN_REVIEW, PUBLISHED, CHANGES_REQUESTED, WITHDRAWN = (
    "submitted",
    "in_review",
    "published",
    "changes_requested",
    "withdrawn",
)
STATES = (SUBMITTED, IN_REVIEW, PUBLISHED, CHANGES_REQUESTED, WITHDRAWN)
PENDING = (SUBMITTED, IN_REVIEW)
REVIEW_ACTIONS = ("submit", "start_review", "approve", "request_changes", "withdraw", "comment")
RESOURCE_TYPES = ("grain", "comic", "podcast", "notebook-app", "module", "parcours", "h5p", "scorm")
FACETS = ("country", "level", "subject", "type", "language", "licence", "event")


@dataclass
class FileInfo:
    format: str  # "bundle" or an exporter name ("html", "scorm12"…)
    filename: str
    sha256: str
    size: int
    media_type: str


@dataclass
class ReviewInfo:
    action: str  # one of REVIEW_ACTIONS
    actor: str
    comment: str
    at: datetime


@dataclass
class VersionInfo:
    number: int
    state: str
    created: datetime
    author: str
    note: str
    files: list[FileInfo]
    reviews: list[ReviewInfo]
    manifest: dict[str, Any]

    def file(self, format: str) -> FileInfo | None:
        return next((f for f in self.files if f.format == format), None)


@dataclass
class ResourceInfo:
    uid: str  # the bundle's manifest "id"; OAI identifier f"oai:{repository_id}:{uid}"
    type: str  # one of RESOURCE_TYPES
    kind: str  # grain kind, H5P library… ("" if none)
    title: str
    description: str
    language: str
    country: str | None
    level: str | None
    subject: str | None
    licence: str
    authors: list[str]
    keywords: list[str]
    event: str | None
    team: str | None
    owner: str  # account that published it
    state: str  # state of the latest version
    latest: VersionInfo  # newest version (owner/reviewers); the published one for the public
    published: VersionInfo | None  # newest published version
    versions: int  # number of versions
    datestamp: datetime  # UTC, last change that matters to OAI
    deleted: bool  # was public once, now withdrawn -> OAI "deleted" record
    origin: str | None  # harvested: base URL of the source repository
    origin_identifier: str | None  # harvested: the OAI identifier at the source
    links: dict[str, str] = field(default_factory=dict)  # harvested: format -> URL at the source


@dataclass
class SearchResult:
    total: int
    page: int
    per_page: int
    items: list[ResourceInfo]
    facets: dict[str, list[tuple[str, int]]]  # facet -> [(value, count)], count desc


@dataclass
class NewsItem:
    id: int
    title: str
    body_html: str  # sanitised with nh3
    language: str
    author: str
    published: datetime


@dataclass
class HarvestedRecord:
    """A record read from another catalogue, for `Catalogue.upsert_harvested_many`."""

    origin: str  # base URL of the source repository
    origin_identifier: str  # the OAI identifier at the source
    metadata: dict[str, Any]  # bundle metadata keys (title, description, language…)
    datestamp: datetime
    deleted: bool = False
    type: str = "grain"
    links: dict[str, str] | None = None
