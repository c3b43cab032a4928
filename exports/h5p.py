"""`h5p`: a content-only .h5p package for the released H5P content types.

The zip holds `h5p.json`, `content/content.json` and the media under
`content/images/` and `content/audios/`. The platform (Moodle, Drupal,
WordPress, Lumi…) brings the libraries; `--with-libraries DIR` copies them from
a folder of library folders named like `H5P.MultiChoice-1.16`. How each grain
kind maps onto a content type is in `h5p_content.py` and docs/exports.md.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from imaginecole.i18n import N_, bilingual

from .base import Bundle, Exporter, ExportError

# released library versions and their preloadedDependencies (from each library.json)
LIBRARIES: dict[str, tuple[str, ...]] = {
    "H5P.MultiChoice 1.16": ("FontAwesome 4.5", "H5P.JoubelUI 1.3", "H5P.Question 1.5"),
    "H5P.TrueFalse 1.8": (
        "FontAwesome 4.5",
        "H5P.Question 1.5",
        "H5P.JoubelUI 1.3",
        "H5P.FontIcons 1.0",
    ),
    "H5P.Blanks 1.14": (
        "FontAwesome 4.5",
        "H5P.Question 1.5",
        "H5P.JoubelUI 1.3",
        "H5P.TextUtilities 1.3",
    ),
    "H5P.DragText 1.10": (
        "FontAwesome 4.5",
        "jQuery.ui 1.10",
        "H5P.JoubelUI 1.3",
        "H5P.Question 1.5",
        "H5P.Components 1.0",
    ),
    # 1.20 does not name H5P.Components; its questions need it through H5P.Question anyway
    "H5P.QuestionSet 1.20": (
        "FontAwesome 4.5",
        "H5P.Video 1.6",
        "H5P.JoubelUI 1.3",
        "H5P.Components 1.0",
    ),
    "H5P.Dialogcards 1.9": (
        "FontAwesome 4.5",
        "H5P.JoubelUI 1.3",
        "H5P.Audio 1.5",
        "H5P.Components 1.0",
    ),
    "H5P.MarkTheWords 1.11": ("FontAwesome 4.5", "H5P.JoubelUI 1.3", "H5P.Question 1.5"),
    "H5P.Summary 1.10": ("FontAwesome 4.5", "H5P.JoubelUI 1.3", "H5P.Question 1.5"),
    "H5P.SortParagraphs 0.12": ("FontAwesome 4.5", "H5P.Question 1.5", "H5P.JoubelUI 1.3"),
    "H5P.Question 1.5": ("FontAwesome 4.5", "H5P.JoubelUI 1.3", "H5P.Components 1.0"),
    "H5P.JoubelUI 1.3": ("FontAwesome 4.5", "H5P.Transition 1.0", "H5P.FontIcons 1.0"),
    "H5P.Components 1.0": ("jQuery.ui 1.10",),
    "H5P.Image 1.1": (),
    "H5P.Audio 1.5": (),
    "H5P.Video 1.6": (),
    "H5P.TextUtilities 1.3": (),
    "H5P.Transition 1.0": (),
    "H5P.FontIcons 1.0": (),
    "FontAwesome 4.5": (),
    "jQuery.ui 1.10": (),
}
EMBED_TYPES = ["iframe"]  # what every runnable library above declares

# file extensions an H5P platform accepts by default; others make the upload fail
H5P_EXTENSIONS = frozenset(
    "json png jpg jpeg gif bmp tif tiff svg eot ttf woff woff2 otf webm mp4 ogg mp3 m4a wav "
    "txt pdf rtf doc docx xls xlsx ppt pptx odt ods odp xml csv diff patch swf md textile vtt "
    "webvtt gltf glb".split()
)
_LIBRARY = re.compile(r"^(?P<name>[\w.-]+) (?P<major>\d+)\.(?P<minor>\d+)$")


def split_library(library: str) -> tuple[str, int, int]:
    """("H5P.MultiChoice", 1, 16) from "H5P.MultiChoice 1.16"."""
    match = _LIBRARY.match(library)
    if match is None:
        raise ValueError(library)
    return match["name"], int(match["major"]), int(match["minor"])


def folder_name(library: str) -> str:
    name, major, minor = split_library(library)
    return f"{name}-{major}.{minor}"


def closure(libraries: list[str]) -> list[str]:
    """`libraries` and everything they preload, depth first, each once."""
    seen: list[str] = []

    def visit(library: str) -> None:
        if library in seen:
            return
        seen.append(library)
        for dependency in LIBRARIES.get(library, ()):
            visit(dependency)

    for library in libraries:
        visit(library)
    return seen


def package_json(manifest: dict[str, Any], main: str, dependencies: list[str]) -> dict[str, Any]:
    """h5p.json, valid against H5P's h5p-schema.json."""
    from .h5p_content import LICENCES

    metadata = manifest["metadata"]
    data: dict[str, Any] = {
        "title": " ".join(metadata["title"].split())[:255],
        "language": metadata.get("language", "fr"),
        "mainLibrary": split_library(main)[0],
        "embedTypes": EMBED_TYPES,
    }
    license, version = LICENCES.get(metadata.get("licence", "CC-BY-SA-4.0"), ("U", None))
    data["license"] = license
    if version:
        data["licenseVersion"] = version
    authors = [
        {"name": " ".join(a["name"].split())[:255], "role": "Author"}
        for a in metadata.get("authors") or []
        if a.get("name", "").strip()
    ]
    if authors:
        data["authors"] = authors
    created = metadata.get("created", "")
    if re.match(r"^\d{4}-", created):
        data["yearsFrom"] = created[:4]
    data["preloadedDependencies"] = [
        {"machineName": name, "majorVersion": major, "minorVersion": minor}
        for name, major, minor in map(split_library, dependencies)
    ]
    return data


def _library_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def library_files(folder: Path, libraries: list[str]) -> list[tuple[str, bytes]]:
    """The files of each library folder in `folder`, and of what those declare they need."""
    if not folder.is_dir():
        raise ExportError(
            "The folder {path} given to --with-libraries does not exist. Give a folder that "
            "holds H5P library folders (named like H5P.MultiChoice-1.16).",
            path=folder,
        )
    declared: dict[str, tuple[str, ...]] = {}
    missing: list[str] = []
    wanted = list(libraries)
    for library in wanted:  # grows as library.json files name more dependencies
        path = folder / folder_name(library)
        info = _library_json(path / "library.json")
        if not info:
            missing.append(folder_name(library))
            continue
        found = f"{info.get('machineName')} {info.get('majorVersion')}.{info.get('minorVersion')}"
        if found != library:
            raise ExportError(
                "The library folder {path} does not hold {expected}: its library.json says "
                "{found}. Rename the folder or replace it with the right version.",
                path=path,
                expected=library,
                found=found,
            )
        declared[library] = tuple(
            f"{d['machineName']} {d['majorVersion']}.{d['minorVersion']}"
            for d in info.get("preloadedDependencies") or []
        )
        wanted += [d for d in declared[library] if d not in wanted]
    if missing:
        raise ExportError(
            "H5P libraries missing from {path}: {names}. Put each library folder there under "
            "its name and version (as in an .h5p file exported with its libraries), or "
            "export without --with-libraries.",
            path=folder,
            names=", ".join(missing),
        )
    entries: list[tuple[str, bytes]] = []
    for library in wanted:
        root = folder / folder_name(library)
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if any(part.startswith(".") for part in relative.parts):
                continue  # .git and editor leftovers
            if path.is_symlink():
                raise ExportError(
                    "The library folder {path} holds a symbolic link ({name}); links are "
                    "refused. Copy the real file there instead.",
                    path=root,
                    name=relative.as_posix(),
                )
            if path.is_file():
                entries.append((f"{root.name}/{relative.as_posix()}", path.read_bytes()))
    return entries


def _dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class H5pExporter(Exporter):
    name = "h5p"
    extension = ".h5p"
    description = N_("H5P package for Moodle, Drupal, WordPress or Lumi (content only)")
    option_names = frozenset({"with_libraries"})

    def export(self, bundle: Bundle, out: Path) -> Path:
        from .archive import write_zip
        from .h5p_content import build_content

        content = build_content(bundle.manifest, bundle.media_type)
        bundle.warnings.extend(content.warnings)
        dependencies = closure([content.main, *content.libraries])
        entries = [
            ("h5p.json", _dumps(package_json(bundle.manifest, content.main, dependencies))),
            ("content/content.json", _dumps(content.params)),
        ]
        for source, target in sorted(content.media.items()):
            entries.append((f"content/{target}", bundle.media_bytes(source)))
            extension = source.rsplit(".", 1)[-1].lower()
            if extension not in H5P_EXTENSIONS:
                bundle.warnings.append(
                    bilingual(
                        "The medium {path} is a .{ext} file, which H5P platforms refuse by "
                        "default; if the upload fails, convert it to mp3, ogg, png or jpg.",
                        path=source,
                        ext=extension,
                    )
                )
        folder = self.options.get("with_libraries")
        if folder:
            entries += library_files(Path(folder), dependencies)
        # media are compressed already: storing them saves time and no space is lost
        stored = [f"content/{t}" for t in content.media.values()]
        return write_zip(out, entries, stored=stored)
