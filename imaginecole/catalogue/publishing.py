"""From what a teacher sends to the files the catalogue keeps.

A publication is prepared entirely in a private work folder, before the
database is touched: the bundle (a folder or a .zip of one) is copied or
safely unpacked, validated, checked for what publication needs, packed as a
deterministic zip and exported to every format of the exporter registry that
accepts it. Any failure there leaves the catalogue as it was.
"""

from __future__ import annotations

import json
import math
import mimetypes
import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..bundle import BundleError, Problem, load_manifest, validate_manifest
from ..i18n import ImaginecoleError, Message
from ..workshop.countries import COUNTRIES
from .model import RESOURCE_TYPES
from .search import fold

MAX_PUBLISHED_BYTES = 200 * 1024 * 1024  # per stored file, the bundle zip included
SLOW_FORMATS = frozenset({"pdf"})  # made only when asked for: it prints through Chromium
BUNDLE_FORMAT = "bundle"
_FORMAT_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_UID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_NOTEBOOK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,99}\.ipynb$")
THUMBNAIL_FORMAT = "thumbnail"  # a notebook app's screenshot, shown by the gallery
MAX_THUMBNAIL_BYTES = 1024 * 1024
MAX_THUMBNAIL_SIDE = 4096
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MEDIA_TYPES = {
    ".h5p": "application/zip",
    ".zip": "application/zip",
    ".gift": "text/plain",
    ".xml": "application/xml",
    ".html": "text/html",
    ".pdf": "application/pdf",
}


@dataclass
class PreparedFile:
    format: str
    path: Path
    filename: str
    media_type: str


@dataclass
class Prepared:
    """A bundle ready to store: its manifest and every file made from it; for a module or
    parcours, its parts in order (id, type, title) and the parts to publish along with it
    (each Prepared, parts before the modules that hold them)."""

    manifest: dict[str, Any]
    files: list[PreparedFile]
    parts: list[dict[str, Any]] = field(default_factory=list)
    along: list[Prepared] = field(default_factory=list)

    @property
    def uid(self) -> str:
        return str(self.manifest["id"])


def media_type(filename: str) -> str:
    name = filename.lower()
    for ext, kind in MEDIA_TYPES.items():
        if name.endswith(ext):
            return kind
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def slug(title: str, default: str = "resource") -> str:
    text = re.sub(r"[^a-z0-9]+", "-", fold(title)).strip("-")[:60].strip("-")
    return text or default


def check_size(path: Path, limit: int = MAX_PUBLISHED_BYTES) -> int:
    size = path.stat().st_size
    if size > limit:
        raise ImaginecoleError(
            "The file {name} is {size} MB; the catalogue keeps at most {max} MB per file. "
            "Make the media smaller or split the resource into several.",
            name=path.name,
            size=math.ceil(size / 1024 / 1024 * 10) / 10,
            max=limit // 1024 // 1024,
        )
    return size


def check_uid(uid: str) -> str:
    if not isinstance(uid, str) or not _UID.match(uid):
        raise ImaginecoleError(
            "« {uid} » is not a valid resource id: use 1 to 64 letters, digits, ., _ or -.",
            uid=str(uid)[:80],
        )
    return uid


def check_type(type: str) -> str:
    if type not in RESOURCE_TYPES:
        raise ImaginecoleError(
            "Unknown resource type « {type} »: use one of {allowed}.",
            type=type,
            allowed=", ".join(RESOURCE_TYPES),
        )
    return type


def check_format_name(name: str) -> str:
    if not isinstance(name, str) or not _FORMAT_NAME.match(name):
        raise ImaginecoleError(
            "« {format} » is not a valid format name: use lower-case letters, digits and -.",
            format=str(name)[:80],
        )
    return name


# -- what publication needs -----------------------------------------------------------------

_REQUIRED = (
    ("title", "a title is required to publish"),
    (
        "description",
        "a description is required to publish: say in a sentence or two what learners do",
    ),
    ("language", "the language is required to publish"),
    ("licence", "the licence is required to publish"),
    ("country", "the country is required to publish: choose one of the 12 countries"),
    ("level", "the school level is required to publish"),
    ("subject", "the subject is required to publish"),
)


def metadata_problems(manifest: dict[str, Any]) -> list[Problem]:
    """What publication needs beyond a valid bundle, one Problem per missing field."""
    meta = manifest.get("metadata") if isinstance(manifest, dict) else None
    meta = meta if isinstance(meta, dict) else {}
    problems = []
    for key, message in _REQUIRED:
        value = meta.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem(f"metadata.{key}", Message(message)))
    authors = meta.get("authors")
    named = [
        a
        for a in authors or []
        if isinstance(a, dict) and isinstance(a.get("name"), str) and a["name"].strip()
    ]
    if not named:
        problems.append(
            Problem("metadata.authors", Message("at least one author is required to publish"))
        )
    return problems


def clean_metadata(metadata: dict[str, Any], *, default_language: str = "fr") -> dict[str, Any]:
    """Bundle-style metadata from outside (CSV, OAI): known keys, right types, sane lengths."""
    if not isinstance(metadata, dict):
        raise ImaginecoleError("The metadata must be a group of fields (a JSON object).")

    def text(key: str, limit: int) -> str | None:
        value = metadata.get(key)
        if value is None:
            return None
        value = " ".join(str(value).split())
        return value[:limit] or None

    out: dict[str, Any] = {
        "title": text("title", 300) or "",
        "description": str(metadata.get("description") or "").strip()[:10_000],
        "language": text("language", 35) or default_language,
        "licence": text("licence", 200) or text("license", 200) or "",
    }
    country = (text("country", 2) or "").upper()
    out["country"] = country if country in COUNTRIES else None
    for key, limit in (("level", 100), ("subject", 100), ("event", 200), ("team", 200)):
        out[key] = text(key, limit)
    authors = []
    for author in metadata.get("authors") or []:
        name = author.get("name") if isinstance(author, dict) else author
        if isinstance(name, str) and name.strip():
            authors.append({"name": " ".join(name.split())[:120]})
    out["authors"] = authors[:50]
    keywords = metadata.get("keywords") or []
    if isinstance(keywords, str):
        keywords = [k for k in re.split(r"[;,]", keywords)]
    out["keywords"] = [" ".join(str(k).split())[:60] for k in keywords if str(k).strip()][:30]
    return {k: v for k, v in out.items() if v is not None}


# -- preparing a bundle ---------------------------------------------------------------------


def _root_files(folder: Path) -> list[str]:
    """Files a bundle keeps beside manifest.json: a notebook app's notebook (app.notebook)."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return []  # load_manifest says what is wrong
    if not isinstance(manifest, dict) or manifest.get("type") != "notebook-app":
        return []
    app = manifest.get("app")
    name = app.get("notebook") if isinstance(app, dict) else None
    if not isinstance(name, str) or not _NOTEBOOK_NAME.match(name):
        return []  # the bundle validator names the field
    return [name]


def _bundle_files(folder: Path) -> list[tuple[str, Path]]:
    """(name in the zip, path) of manifest.json, a notebook app's notebook and the regular
    files of media/, sorted."""
    entries = [("manifest.json", folder / "manifest.json")]
    for name in _root_files(folder):
        path = folder / name
        if path.is_file() and not path.is_symlink():
            entries.append((name, path))
    media = folder / "media"
    if media.is_dir() and not media.is_symlink():
        for path in sorted(media.iterdir()):
            if path.is_file() and not path.is_symlink() and not path.name.startswith("."):
                entries.append((f"media/{path.name}", path))
    return entries


def _copy_bundle(source: Path, target: Path) -> None:
    total = 0
    for name, path in _bundle_files(source):
        if not path.is_file():
            continue
        total += path.stat().st_size
        if total > MAX_PUBLISHED_BYTES:
            raise ImaginecoleError(
                "The bundle {path} holds more than {max} MB; the catalogue refuses it. "
                "Make the media smaller or split the resource into several.",
                path=source,
                max=MAX_PUBLISHED_BYTES // 1024 // 1024,
            )
        dest = target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)


def unpack(source: Path, work: Path) -> Path:
    """A private copy of the bundle `source` (a folder or a .zip of one) under `work`."""
    from imaginecole.exports.archive import safe_extract

    target = work / "bundle"
    target.mkdir(parents=True)
    if source.is_dir():
        _copy_bundle(source, target)
        _copy_parts_of_folder(source, target)
        return target
    if source.is_file() and source.suffix.lower() == ".zip":
        check_size(source)
        unpacked = work / "unpacked"
        safe_extract(source, unpacked, max_bytes=MAX_PUBLISHED_BYTES)
        root = unpacked
        if not (root / "manifest.json").is_file():
            folders = [p for p in unpacked.iterdir() if p.is_dir() and not p.name.startswith("__")]
            if len(folders) == 1 and (folders[0] / "manifest.json").is_file():
                root = folders[0]
            else:
                raise ImaginecoleError(
                    "The zip {path} holds no bundle: put manifest.json at its root "
                    "or in a single folder.",
                    path=source,
                )
        _copy_bundle(root, target)
        _copy_parts(root, target)
        return target
    raise ImaginecoleError(
        "{path} is neither a bundle folder nor a .zip of one: give the folder that holds "
        "manifest.json.",
        path=source,
    )


def _is_sequence(folder: Path) -> bool:
    try:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("type") in ("module", "parcours")


def _copy_parts(root: Path, target: Path) -> None:
    """A module's or parcours' packed parts (``parts/<folder>/``, see sequence/pack.py),
    each copied as a bundle: only its manifest, notebook and media."""
    parts = root / "parts"
    if not _is_sequence(root) or not parts.is_dir() or parts.is_symlink():
        return
    for folder in sorted(parts.iterdir()):
        if folder.is_dir() and not folder.is_symlink() and (folder / "manifest.json").is_file():
            _copy_bundle(folder, target / "parts" / folder.name)


def _copy_parts_of_folder(source: Path, target: Path) -> None:
    """A module or parcours folder in a teacher's home: its parts, found as `resolve` finds
    them, copied under ``parts/`` as `pack_sequence` packs them."""
    if not _is_sequence(source):
        return
    if (source / "parts").is_dir():  # an unzipped package
        _copy_parts(source, target)
        return
    from ..sequence.pack import found_parts

    # the parts found in the home; the others may be in the catalogue (sequences.py says)
    for name, path in found_parts(source):
        dest = target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of PNG bytes, read from the IHDR chunk; None if they are not a PNG."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return (width, height) if width and height else None


def app_thumbnail(folder: Path, manifest: dict[str, Any]) -> Path | None:
    """A notebook app's screenshot (``app.thumbnail``), checked: a PNG, not too large."""
    app = manifest.get("app") if manifest.get("type") == "notebook-app" else None
    name = app.get("thumbnail") if isinstance(app, dict) else None
    if not isinstance(name, str) or not name:
        return None
    path = folder / name
    if not path.is_file() or path.is_symlink() or folder.resolve() not in path.resolve().parents:
        raise ImaginecoleError(
            "The app's thumbnail « {name} » is missing from the bundle: take the screenshot "
            "again (imaginecole app new …) or remove « app.thumbnail » from manifest.json.",
            name=name,
        )
    size = path.stat().st_size
    if size > MAX_THUMBNAIL_BYTES:
        raise ImaginecoleError(
            "The app's thumbnail « {name} » is {size} KB; the catalogue takes at most {max} KB. "
            "Take a smaller screenshot (1280 x 800 pixels is enough).",
            name=name,
            size=math.ceil(size / 1024),
            max=MAX_THUMBNAIL_BYTES // 1024,
        )
    dimensions = png_size(path.read_bytes()[:32])
    if dimensions is None:
        raise ImaginecoleError(
            "The app's thumbnail « {name} » is not a PNG image: take the screenshot again "
            "(imaginecole app new …).",
            name=name,
        )
    if max(dimensions) > MAX_THUMBNAIL_SIDE:
        raise ImaginecoleError(
            "The app's thumbnail « {name} » is {width} x {height} pixels; the catalogue takes "
            "at most {max} pixels a side. Take a smaller screenshot.",
            name=name,
            width=dimensions[0],
            height=dimensions[1],
            max=MAX_THUMBNAIL_SIDE,
        )
    return path


class Formats(list):
    """The export formats to store; `explicit` when the publisher named them."""

    explicit = True


def choose_formats(requested: list[str] | None) -> Formats:
    """The formats named in `requested`, or by default every fast one (not `explicit`)."""
    from imaginecole.exports import available

    names = available()
    if requested is None:
        defaults = Formats(n for n in names if n not in SLOW_FORMATS)
        defaults.explicit = False
        return defaults
    unknown = [n for n in requested if n not in names]
    if unknown:
        raise ImaginecoleError(
            "Unknown export format(s) {formats}: use some of {allowed}.",
            formats=", ".join(unknown),
            allowed=", ".join(names),
        )
    return Formats(dict.fromkeys(requested))


def prepare(
    source: Path,
    work: Path,
    *,
    event: str | None = None,
    formats: list[str] | None = None,
    parts: Any = None,
) -> Prepared:
    """Validate the bundle at `source` and make every file to store, all under `work`.

    A module or parcours is prepared with its parts (`sequences.prepare_sequence`): `parts`
    finds the ones already in the catalogue."""
    chosen = choose_formats(formats)
    folder = unpack(Path(source), work)
    try:
        manifest = load_manifest(folder)
    except BundleError as exc:
        raise BundleError(source, exc.problems) from None
    if event is not None:
        manifest["metadata"]["event"] = event
        problems = validate_manifest(manifest, folder)
        if problems:
            raise BundleError(source, problems)
    problems = metadata_problems(manifest)
    if problems:
        raise BundleError(source, problems)
    check_type(manifest.get("type", "grain"))
    if manifest.get("type") in ("module", "parcours"):
        from .sequences import prepare_sequence

        return prepare_sequence(Path(source), folder, manifest, work, chosen, parts)
    # the stored bundle holds the upgraded manifest, written the way save_manifest writes it
    write_manifest(folder, manifest)
    name = slug(manifest["metadata"]["title"], default=str(manifest["id"])[:8])
    named = folder.rename(work / name)
    return package(named, manifest, work, chosen, _bundle_files(named))


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    payload = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    (folder / "manifest.json").write_text(payload, "utf-8")


def package(
    named: Path,
    manifest: dict[str, Any],
    work: Path,
    chosen: Formats,
    entries: list[tuple[str, Path]],
) -> Prepared:
    """The files to store of the bundle folder `named`: its zip (`entries`), an app's
    thumbnail, and every export of the `chosen` formats that accepts it. A default format
    (not `explicit`) that cannot express this content (ExportError: GIFT has no flashcards)
    is left out; a format the publisher named fails the publication with its reason."""
    from imaginecole.exports import get_exporter
    from imaginecole.exports.archive import write_zip
    from imaginecole.exports.base import Bundle, ExportError

    name = named.name
    out = work / f"out-{uuid.uuid4().hex[:8]}"
    out.mkdir()

    files = []
    zipped = write_zip(out / f"{name}.bundle.zip", [(entry, path) for entry, path in entries])
    check_size(zipped)
    files.append(PreparedFile(BUNDLE_FORMAT, zipped, zipped.name, "application/zip"))
    thumbnail = app_thumbnail(named, manifest)
    if thumbnail is not None:
        kept = shutil.copyfile(thumbnail, out / "thumbnail.png")
        files.append(PreparedFile(THUMBNAIL_FORMAT, kept, kept.name, "image/png"))
    bundle = Bundle.load(named)
    for fmt in chosen:
        exporter = get_exporter(fmt)()
        if not exporter.accepts(bundle):
            continue
        try:
            written = Path(exporter.export(bundle, exporter.default_output(bundle, out / fmt)))
        except ExportError:
            if getattr(chosen, "explicit", True):
                raise
            continue
        check_size(written)
        files.append(PreparedFile(fmt, written, written.name, media_type(written.name)))
    return Prepared(manifest=manifest, files=files)
