"""Outside packages for the catalogue: Imaginecole bundles, H5P and SCORM 1.2 / 2004.

`inspect_package` tells what a file or folder is from its content, never from
its name, reads its metadata into the bundle's metadata keys (title,
description, language, licence, authors, keywords) and refuses what could harm
the server before anything is unpacked: oversized files, too many entries,
zip bombs, entries that would land outside their folder, links, encryption.
Teacher text taken from a package is reduced to plain text (nh3).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imaginecole.exports import archive
from imaginecole.i18n import ImaginecoleError, Message

from .import_metadata import clean_metadata, licence_in, normalise_licence, split_list

BUNDLE, H5P, SCORM12, SCORM2004 = "bundle", "h5p", "scorm12", "scorm2004"
MANIFEST, H5P_JSON, IMSMANIFEST = "manifest.json", "h5p.json", "imsmanifest.xml"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
RATIO_FLOOR = 1 << 20  # below 1 MB unpacked, a high ratio harms no one (JSON compresses well)
_LIBRARY = re.compile(r"^[A-Za-z0-9_.-]{1,255}$")


@dataclass(frozen=True)
class PackageLimits:
    """Caps applied before anything is unpacked; the defaults suit a national server."""

    max_file_bytes: int = 250 * 1024 * 1024  # the package file, or a bundle folder
    max_entry_bytes: int = 200 * 1024 * 1024  # one entry once unpacked
    max_unpacked_bytes: int = archive.MAX_UNPACKED
    max_entries: int = archive.MAX_ENTRIES
    max_ratio: int = archive.MAX_RATIO
    max_metadata_bytes: int = 2 * 1024 * 1024  # manifest.json, h5p.json, imsmanifest.xml


@dataclass
class PackageInfo:
    """What `inspect_package` found: the format, the resource's identity and its metadata."""

    path: Path
    format: str  # bundle | h5p | scorm12 | scorm2004
    type: str  # catalogue resource type: the bundle's type, "h5p" or "scorm"
    kind: str  # grain kind, H5P main library, "" for SCORM
    uid: str | None  # the bundle's manifest id; None for H5P and SCORM
    metadata: dict[str, Any]  # bundle metadata keys, cleaned
    sha256: str  # of the file; of every file (name and content) for a folder
    size: int  # bytes on disk
    unpacked: int  # bytes once unpacked
    entries: int
    root: str = ""  # a bundle zipped with its folder: "folder/"
    manifest: dict[str, Any] | None = field(default=None, repr=False)  # bundles only

    @property
    def is_folder(self) -> bool:
        return self.path.is_dir()


class PackageError(ImaginecoleError):
    """A package refused; the message names the file and the problem."""

    def __init__(self, path: Path | str, message: str, **values: object) -> None:
        self.path = path
        super().__init__(message, path=path, **values)


def _size(n: int) -> Message:
    if n < 10 * 1024 * 1024:
        return Message("{n} KB", n=-(-n // 1024))
    return Message("{n} MB", n=-(-n // (1024 * 1024)))


# -- the zip checks, before anything is read ------------------------------------------------


def _is_zip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(4) in ZIP_MAGIC


def _check_zip(path: Path, archive_: zipfile.ZipFile, limits: PackageLimits) -> tuple[int, int]:
    """(entries, unpacked bytes) once every entry passed; else PackageError."""
    members = archive_.infolist()
    if len(members) > limits.max_entries:
        raise PackageError(
            path,
            "{path}: the archive holds {n} entries, more than {max}.",
            n=len(members),
            max=limits.max_entries,
        )
    seen: set[str] = set()
    total = packed = 0
    for member in members:
        name = member.filename
        try:
            archive.check_member_name(name)
        except ImaginecoleError:
            raise PackageError(
                path,
                "{path}: the entry « {name} » would land outside the package folder; refused.",
                name=name,
            ) from None
        if "\x00" in name or stat.S_ISLNK(member.external_attr >> 16):
            raise PackageError(
                path,
                "{path}: the entry « {name} » is a symbolic link; links are refused.",
                name=name,
            )
        if member.flag_bits & 0x1:
            raise PackageError(
                path, "{path}: the entry « {name} » is encrypted; it cannot be checked.", name=name
            )
        key = name.rstrip("/")
        if key in seen:
            raise PackageError(path, "{path}: the entry « {name} » appears twice.", name=name)
        seen.add(key)
        if member.file_size > limits.max_entry_bytes:
            raise PackageError(
                path,
                "{path}: the entry « {name} » would unpack to {size} (limit {limit}).",
                name=name,
                size=_size(member.file_size),
                limit=_size(limits.max_entry_bytes),
            )
        ratio = member.file_size / max(1, member.compress_size)
        if member.file_size > RATIO_FLOOR and ratio > limits.max_ratio:
            raise PackageError(
                path,
                "{path}: the entry « {name} » is compressed {ratio} times (limit {max}); "
                "it looks like a zip bomb.",
                name=name,
                ratio=int(ratio),
                max=limits.max_ratio,
            )
        total += member.file_size
        packed += member.compress_size
    if total > limits.max_unpacked_bytes:
        raise PackageError(
            path,
            "{path}: the archive would unpack to {size} (limit {limit}).",
            size=_size(total),
            limit=_size(limits.max_unpacked_bytes),
        )
    if total > RATIO_FLOOR and total / max(1, packed) > limits.max_ratio:
        raise PackageError(
            path,
            "{path}: the archive is compressed {ratio} times (limit {max}); "
            "it looks like a zip bomb.",
            ratio=int(total / max(1, packed)),
            max=limits.max_ratio,
        )
    return len(members), total


def _read_member(path: Path, zf: zipfile.ZipFile, name: str, limits: PackageLimits) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > limits.max_metadata_bytes:
        raise PackageError(
            path,
            "{path}: « {name} » is {size}, more than the {limit} allowed.",
            name=name,
            size=_size(info.file_size),
            limit=_size(limits.max_metadata_bytes),
        )
    try:
        with zf.open(info) as fh:
            data = fh.read(limits.max_metadata_bytes + 1)
    except (
        zipfile.BadZipFile,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
        zlib.error,
    ) as exc:
        raise PackageError(
            path, "{path}: « {name} » cannot be read ({error}).", name=name, error=exc
        ) from None
    if len(data) > limits.max_metadata_bytes:  # the header lied about the size
        raise PackageError(
            path, "{path}: the entry « {name} » is larger than it says; refused.", name=name
        )
    return data


def _json(path: Path, name: str, data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageError(
            path, "{path}: « {name} » is not valid JSON ({error}).", name=name, error=exc
        ) from None


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# -- what a package is -----------------------------------------------------------------------


def inspect_package(path: Path | str, limits: PackageLimits | None = None) -> PackageInfo:
    """Recognise a bundle (folder or zip), an H5P or a SCORM package by its content.

    Raises PackageError (or BundleError for an invalid bundle manifest) naming
    the file and the problem; nothing is unpacked.
    """
    path = Path(path)
    limits = limits or PackageLimits()
    try:
        if path.is_symlink():
            raise PackageError(path, "{path}: this is a symbolic link; links are refused.")
        if path.is_dir():
            return _inspect_folder(path, limits)
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise PackageError(
                path,
                "{path}: the file is {size}, more than the {limit} allowed for a package.",
                size=_size(size),
                limit=_size(limits.max_file_bytes),
            )
        if not _is_zip(path):
            raise PackageError(
                path,
                "{path}: this is not a zip archive, whatever its name says; bundles, "
                "H5P and SCORM packages are zip files.",
            )
        with zipfile.ZipFile(path) as zf:
            entries, unpacked = _check_zip(path, zf, limits)
            info = _inspect_zip(path, zf, limits)
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise PackageError(
            path, "{path}: the zip archive is damaged ({error}).", error=exc
        ) from None
    except OSError as exc:
        raise PackageError(
            path, "{path}: the file cannot be read ({error}).", error=exc.strerror or exc
        ) from None
    info.size, info.entries, info.unpacked = size, entries, unpacked
    info.sha256 = _sha256_file(path)
    return info


def _inspect_zip(path: Path, zf: zipfile.ZipFile, limits: PackageLimits) -> PackageInfo:
    names = set(zf.namelist())
    if H5P_JSON in names:
        return _inspect_h5p(path, zf, names, limits)
    if IMSMANIFEST in names:
        return _inspect_scorm(path, zf, names, limits)
    tops = {n.split("/", 1)[0] for n in names}
    root = ""
    if MANIFEST not in names and len(tops) == 1 and f"{next(iter(tops))}/{MANIFEST}" in names:
        root = f"{next(iter(tops))}/"  # a bundle zipped with its folder
    if f"{root}{MANIFEST}" in names:
        manifest = _json(path, MANIFEST, _read_member(path, zf, f"{root}{MANIFEST}", limits))
        info = _bundle_info(path, manifest)
        info.root = root
        return info
    raise PackageError(
        path,
        "{path}: not a package: no manifest.json (Imaginecole bundle), h5p.json (H5P) "
        "or imsmanifest.xml (SCORM) at its root.",
    )


def _bundle_info(path: Path, manifest: Any, *, validated: bool = False) -> PackageInfo:
    from imaginecole.bundle.model import upgrade_manifest
    from imaginecole.bundle.validate import BundleError, validate_manifest

    if not validated:
        manifest = upgrade_manifest(manifest, path)
        problems = validate_manifest(manifest)  # media are checked once unpacked
        if problems:
            raise BundleError(path, problems)
    return PackageInfo(
        path=path,
        format=BUNDLE,
        type=manifest.get("type", "grain"),
        kind=manifest.get("kind", ""),
        uid=manifest["id"],
        metadata=clean_metadata(dict(manifest["metadata"])),
        sha256="",
        size=0,
        unpacked=0,
        entries=0,
        manifest=manifest,
    )


def _inspect_folder(path: Path, limits: PackageLimits) -> PackageInfo:
    if not (path / MANIFEST).is_file():
        raise PackageError(
            path, "{path}: not a package: a folder without manifest.json (Imaginecole bundle)."
        )
    files: list[tuple[str, Path]] = []
    for folder, dirs, names in os.walk(path):
        for name in sorted(dirs + names):
            full = Path(folder) / name
            if full.is_symlink():
                raise PackageError(
                    path,
                    "{path}: « {name} » is a symbolic link; links are refused.",
                    name=full.relative_to(path).as_posix(),
                )
            if name in names:
                files.append((full.relative_to(path).as_posix(), full))
        dirs.sort()
    if len(files) > limits.max_entries:
        raise PackageError(
            path,
            "{path}: the bundle folder holds {n} files, more than {max}.",
            n=len(files),
            max=limits.max_entries,
        )
    digest, total = hashlib.sha256(), 0
    for rel, full in sorted(files):
        size = full.stat().st_size
        if size > limits.max_entry_bytes:
            raise PackageError(
                path,
                "{path}: « {name} » is {size}, more than the {limit} allowed.",
                name=rel,
                size=_size(size),
                limit=_size(limits.max_entry_bytes),
            )
        total += size
        if total > min(limits.max_file_bytes, limits.max_unpacked_bytes):
            raise PackageError(
                path,
                "{path}: the bundle folder holds {size} (limit {limit}).",
                size=_size(total),
                limit=_size(min(limits.max_file_bytes, limits.max_unpacked_bytes)),
            )
        digest.update(f"{rel}\0{_sha256_file(full)}\n".encode())
    from imaginecole.bundle.model import load_manifest

    manifest = load_manifest(path)  # full validation, media files included
    info = _bundle_info(path, manifest, validated=True)
    info.sha256, info.size, info.unpacked, info.entries = (
        digest.hexdigest(),
        total,
        total,
        len(files),
    )
    return info


def _inspect_h5p(
    path: Path, zf: zipfile.ZipFile, names: set[str], limits: PackageLimits
) -> PackageInfo:
    data = _json(path, H5P_JSON, _read_member(path, zf, H5P_JSON, limits))
    if not isinstance(data, dict):
        raise PackageError(path, "{path}: « {name} » must hold a JSON object.", name=H5P_JSON)
    for key in ("title", "mainLibrary"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise PackageError(path, "{path}: h5p.json lacks the field « {field} ».", field=key)
    if not _LIBRARY.match(data["mainLibrary"]):
        raise PackageError(
            path,
            "{path}: h5p.json names an invalid main library « {name} ».",
            name=data["mainLibrary"][:60],
        )
    if "content/content.json" not in names:
        raise PackageError(path, "{path}: the H5P package has no content/content.json.")
    meta: dict[str, Any] = {"title": data["title"]}
    languages = [data.get(k) for k in ("language", "defaultLanguage")]
    language = next((x for x in languages if isinstance(x, str) and x not in ("", "und")), None)
    if language:
        meta["language"] = language
    licence = data.get("license")
    if isinstance(licence, str):
        found = normalise_licence(licence, str(data.get("licenseVersion") or ""))
        if found:
            meta["licence"] = found
    authors = data.get("authors")
    if isinstance(authors, list):
        meta["authors"] = [
            {"name": a["name"]}
            for a in authors
            if isinstance(a, dict) and isinstance(a.get("name"), str)
        ]
    if isinstance(data.get("metaDescription"), str):
        meta["description"] = data["metaDescription"]
    if isinstance(data.get("metaKeywords"), str):
        meta["keywords"] = split_list(data["metaKeywords"], ",;|")
    return PackageInfo(
        path=path,
        format=H5P,
        type="h5p",
        kind=data["mainLibrary"],
        uid=None,
        metadata=clean_metadata(meta),
        sha256="",
        size=0,
        unpacked=0,
        entries=0,
    )


# -- SCORM ------------------------------------------------------------------------------------


def _xml(path: Path, name: str, data: bytes) -> Any:
    from lxml import etree

    # no DTD, no entities, no network: an imsmanifest.xml is data, not instructions
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise PackageError(
            path, "{path}: « {name} » is not valid XML ({error}).", name=name, error=exc
        ) from None


def _local(element: Any) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: Any, name: str) -> list[Any]:
    return [child for child in element if _local(child) == name]


def _child(element: Any, *names: str) -> Any:
    for name in names:
        found = _children(element, name) if element is not None else []
        element = found[0] if found else None
    return element


def _texts(element: Any) -> list[str]:
    """The strings of a LOM langstring field (2004 `string`, 1.2 `langstring`) or its text."""
    if element is None:
        return []
    strings = [el for el in element.iter() if _local(el) in ("string", "langstring")]
    values = [(el.text or "").strip() for el in strings] if strings else [element.text or ""]
    return [v.strip() for v in values if v and v.strip()]


def _scorm_version(root: Any) -> str:
    version = " ".join(_texts(_child(root, "metadata", "schemaversion")))
    if version:
        return SCORM2004 if ("2004" in version or "1.3" in version) else SCORM12
    namespaces = " ".join(v for el in root.iter() for v in (el.nsmap or {}).values() if v)
    return SCORM2004 if "adlcp_v1p3" in namespaces else SCORM12


def _lom_metadata(lom: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    general = _child(lom, "general")
    if general is None:
        return meta
    for key, field_name in (("title", "title"), ("description", "description")):
        found = _texts(_child(general, field_name))
        if found:
            meta[key] = found[0]
    languages = _texts(_child(general, "language"))
    if languages:
        meta["language"] = languages[0]
    keywords = [word for el in _children(general, "keyword") for word in _texts(el)]
    if keywords:
        meta["keywords"] = keywords
    rights = " ".join(_texts(_child(lom, "rights", "description")))
    if licence_in(rights):
        meta["licence"] = licence_in(rights)
    authors = []
    for lifecycle in _children(lom, "lifeCycle") + _children(lom, "lifecycle"):
        for contribute in _children(lifecycle, "contribute"):
            if " ".join(_texts(_child(contribute, "role", "value"))).lower() != "author":
                continue
            for el in contribute.iter():
                match = re.search(r"^FN:(.+)$", el.text or "", re.M)
                if _local(el) in ("entity", "vcard") and match:
                    authors.append({"name": match.group(1).strip()})
    if authors:
        meta["authors"] = authors
    return meta


def _inspect_scorm(
    path: Path, zf: zipfile.ZipFile, names: set[str], limits: PackageLimits
) -> PackageInfo:
    root = _xml(path, IMSMANIFEST, _read_member(path, zf, IMSMANIFEST, limits))
    if _local(root) != "manifest":
        raise PackageError(path, "{path}: imsmanifest.xml is not a content package manifest.")
    organizations = _child(root, "organizations")
    orgs = _children(organizations, "organization") if organizations is not None else []
    default = organizations.get("default") if organizations is not None else None
    org = next((o for o in orgs if o.get("identifier") == default), orgs[0] if orgs else None)
    items = [el for el in org.iter() if _local(el) == "item"] if org is not None else []
    if not items:
        raise PackageError(
            path, "{path}: the SCORM manifest has no organization with an item to launch."
        )
    resources = {
        r.get("identifier"): r for r in root.iter() if _local(r) == "resource" and r.get("href")
    }
    launch = next(
        (resources[i.get("identifierref")] for i in items if i.get("identifierref") in resources),
        None,
    )
    href = (launch.get("href") if launch is not None else "") or ""
    target = href.split("?", 1)[0].split("#", 1)[0]
    if launch is None or (
        not re.match(r"^[a-z]+://", href)
        and (launch.get("{http://www.w3.org/XML/1998/namespace}base") or "") + target not in names
    ):
        raise PackageError(
            path,
            "{path}: the SCORM launch file « {name} » is missing from the package.",
            name=href[:100] or "?",
        )
    meta: dict[str, Any] = {}
    metadata = _child(root, "metadata")
    lom = None if metadata is None else next((e for e in metadata if _local(e) == "lom"), None)
    location = _child(root, "metadata", "location")
    if lom is None and location is not None and (location.text or "").strip() in names:
        name = location.text.strip()
        external = _xml(path, name, _read_member(path, zf, name, limits))
        lom = external if _local(external) == "lom" else None
    if lom is not None:
        meta.update(_lom_metadata(lom))
    title = " ".join(_texts(_child(org, "title"))) or " ".join(_texts(_child(items[0], "title")))
    if title:
        meta["title"] = title
    return PackageInfo(
        path=path,
        format=_scorm_version(root),
        type="scorm",
        kind="",
        uid=None,
        metadata=clean_metadata(meta),
        sha256="",
        size=0,
        unpacked=0,
        entries=0,
    )
