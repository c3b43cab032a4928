"""H5P's content validator, ported from h5p-php-library (H5PContentValidator), for tests.

`Validator.check(library, params)` walks the params along the library's
semantics exactly as H5P does when it saves or shows content: it returns the
filtered copy H5P would keep and the problems it met (unknown fields, wrong
types, options outside a select, lists out of bounds, mandatory fields
missing, libraries outside a field's options, bad subContentIds). A
content.json H5P keeps unchanged gives back an equal copy and no problem.

The semantics come from the shared spec folder. H5P.Image, H5P.Audio and the
metadata semantics of H5P core are not there; the few fields used are written
below from those projects' sources.
"""

from __future__ import annotations

import copy
import html
import json
import re
from html.entities import html5
from pathlib import Path
from typing import Any

UUID = re.compile(
    r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$"
)
STYLEABLE = ("span", "p", "div", "h1", "h2", "h3", "td")
TEXT_ALIGN = re.compile(r"^text-align: *(center|left|right);?$", re.I)
PROTOCOLS = ("ftp", "http", "https", "mailto")

_LICENSES = ["U", "CC BY", "CC BY-SA", "CC BY-ND", "CC BY-NC", "CC BY-NC-SA", "CC BY-NC-ND"]
_LICENSES += ["CC0 1.0", "CC PDM", "GNU GPL", "PD", "ODC PDDL", "C"]


def _select(name: str, values: list[str], **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": "select", "options": [{"value": v} for v in values], **extra}


def _text(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": "text", **extra}


# H5P core, getMetadataSemantics()
METADATA = [
    _text("title"),
    _text("a11yTitle", optional=True),
    _select("license", _LICENSES, default="U"),
    _select("licenseVersion", ["4.0", "3.0", "2.5", "2.0", "1.0"], optional=True),
    {"name": "yearFrom", "type": "number", "optional": True},
    {"name": "yearTo", "type": "number", "optional": True},
    _text("source", optional=True),
    {
        "name": "authors",
        "type": "list",
        "field": {
            "name": "author",
            "type": "group",
            "fields": [
                _text("name", optional=True),
                _select("role", ["Author", "Editor", "Licensee", "Originator"], default="Author"),
            ],
        },
    },
    _text("licenseExtras", optional=True, widget="textarea"),
    {
        "name": "changes",
        "type": "list",
        "field": {
            "name": "change",
            "type": "group",
            "fields": [_text("date"), _text("author"), _text("log", widget="textarea")],
        },
    },
    _text("authorComments", optional=True, widget="textarea"),
    _text("contentType", widget="none"),
    _text("defaultLanguage", widget="none"),
]

# the fields of H5P.Image 1.1 and H5P.Audio 1.5 (h5p-image, h5p-audio semantics.json)
EXTRA_SEMANTICS = {
    "H5P.Image": [
        {"name": "file", "type": "image"},
        {"name": "decorative", "type": "boolean", "optional": True, "default": False},
        _text("alt", maxLength=500),
        _text("title", optional=True, maxLength=500),
        _text("contentName", common=True, default="Image"),
        _text("expandImage", common=True, optional=True, default="Expand Image"),
        _text("minimizeImage", common=True, optional=True, default="Minimize Image"),
    ],
    "H5P.Audio": [
        {"name": "files", "type": "audio"},
        _select("playerMode", ["minimalistic", "full", "transparent"], default="minimalistic"),
        {"name": "fitToWrapper", "type": "boolean", "default": False},
        {"name": "controls", "type": "boolean", "default": True},
        {"name": "autoplay", "type": "boolean", "default": False},
        _text("playAudio", common=True, default="Play audio"),
        _text("pauseAudio", common=True, default="Pause audio"),
        _text("contentName", common=True, default="Audio"),
        _text("audioNotSupported", common=True, default="Your browser does not support this audio"),
    ],
}


# -- the text filters, as in PHP ----------------------------------------------------------------


def htmlspecialchars(text: str) -> str:
    """htmlspecialchars($text, ENT_QUOTES, 'UTF-8', FALSE): existing entities are kept."""

    def replace(match: re.Match[str]) -> str:
        found = match.group(0)
        if len(found) > 1:
            name = found[1:]
            if name.startswith("#") or name in html5:
                return found
            return "&amp;" + found[1:]
        return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#039;"}[found]

    return re.sub(r"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);|[&<>\"']", replace, text)


def strip_dangerous_protocols(uri: str) -> str:
    while True:
        before = uri
        colon = uri.find(":")
        if colon > 0:
            protocol = uri[:colon]
            if re.search(r"[/?#]", protocol):
                break
            if protocol.lower() not in PROTOCOLS:
                uri = uri[colon + 1 :]
        if before == uri:
            return uri
    return uri


def _bad_protocol(value: str) -> str:
    return htmlspecialchars(strip_dangerous_protocols(html.unescape(value)))


def _attributes(attr: str, styles: bool) -> list[str]:
    out: list[str] = []
    mode, name, skip = 0, "", False
    while attr:
        working = False
        if mode == 0:
            match = re.match(r"^([-a-zA-Z]+)", attr)
            if match:
                name = match.group(1).lower()
                skip = name == "style" or name.startswith(("on", "-")) or len(name) > 96
                working, mode = True, 1
                attr = attr[match.end() :]
        elif mode == 1:
            if re.match(r"^\s*=\s*", attr):
                working, mode = True, 2
                attr = re.sub(r"^\s*=\s*", "", attr, count=1)
            elif re.match(r"^\s+", attr):
                working, mode = True, 0
                if not skip:
                    out.append(name)
                attr = re.sub(r"^\s+", "", attr, count=1)
        else:
            for pattern, quote in (
                (r'^"([^"]*)"(\s+|$)', '"'),
                (r"^'([^']*)'(\s+|$)", "'"),
                (r"^([^\s\"']+)(\s+|$)", '"'),
            ):
                match = re.match(pattern, attr)
                if match:
                    if styles and name == "style":
                        if TEXT_ALIGN.match(match.group(1)):
                            out.append(f'style="{match.group(1)}"')
                    elif not skip:
                        out.append(f"{name}={quote}{_bad_protocol(match.group(1))}{quote}")
                    working, mode = True, 0
                    attr = attr[match.end() :]
                    break
        if not working:
            attr = re.sub(r"""^("[^"]*("|$)|'[^']*('|$)||\S)*\s*""", "", attr, count=1)
            mode = 0
    if mode == 1 and not skip:
        out.append(name)
    return out


def filter_xss(text: str, allowed: set[str]) -> str:
    if not text:
        return text
    text = text.replace("\0", "")
    text = re.sub(r"&\s*\{[^}]*(\}\s*;?|$)", "", text)
    text = text.replace("&", "&amp;")
    text = re.sub(r"&amp;#([0-9]+;)", r"&#\1", text)
    text = re.sub(r"&amp;#[Xx]0*((?:[0-9A-Fa-f]{2})+;)", r"&#x\1", text)
    text = re.sub(r"&amp;([A-Za-z][A-Za-z0-9]*;)", r"&\1", text)

    def split(match: re.Match[str]) -> str:
        found = match.group(1)
        if not found.startswith("<"):
            return "&gt;"
        if len(found) == 1:
            return "&lt;"
        parts = re.search(r"^<\s*(/\s*)?([a-zA-Z0-9\-]+)\s*([^>]*)>?|(<!--.*?-->)$", found)
        if not parts:
            return ""
        slash = (parts.group(1) or "").strip()
        elem, attrs, comment = parts.group(2) or "", parts.group(3) or "", parts.group(4) or ""
        if comment:
            elem = "!--"
        if elem.lower() not in allowed:
            return ""
        if comment:
            return comment
        if slash:
            return f"</{elem}>"
        attrs, count = re.subn(r"(\s?)/\s*$", r"\1", attrs)
        attr = " ".join(_attributes(attrs, elem in STYLEABLE))
        attr = re.sub(r"[<>]", "", attr)
        return f"<{elem}{' ' + attr if attr else ''}{' /' if count else ''}>"

    return re.sub(r"(<(?=[^a-zA-Z!/])|<!--.*?-->|<[^>]*(>|$)|>)", split, text)


def allowed_tags(tags: list[str]) -> set[str]:
    allowed = {"div", "span", "p", "br", *tags}
    if "table" in allowed:
        allowed |= {"tr", "td", "th", "colgroup", "thead", "tbody", "tfoot"}
    if "b" in allowed:
        allowed.add("strong")
    if "i" in allowed:
        allowed.add("em")
    if "ul" in allowed or "ol" in allowed:
        allowed.add("li")
    if "del" in allowed or "strike" in allowed:
        allowed.add("s")
    return allowed


# -- the walk -----------------------------------------------------------------------------------


def _may_be_absent(field: dict[str, Any]) -> bool:
    if field.get("optional") or field["type"] == "library":
        return True
    if field["type"] == "group":
        return all(_may_be_absent(f) for f in field["fields"])
    return False


class Validator:
    """Checks params against the semantics in `spec_dir / "h5p"`."""

    def __init__(self, spec_dir: Path) -> None:
        self.folder = spec_dir / "h5p"
        self.problems: list[str] = []
        self.libraries: list[str] = []  # every library met, in order

    def semantics(self, machine_name: str) -> list[dict[str, Any]]:
        if machine_name in EXTRA_SEMANTICS:
            return EXTRA_SEMANTICS[machine_name]
        path = self.folder / f"{machine_name}.json"
        return json.loads(path.read_text(encoding="utf-8"))

    def check(self, library: str, params: Any) -> tuple[Any, list[str]]:
        """(what H5P keeps of `params`, the problems) for the main content of `library`."""
        self.problems = []
        value = {"library": library, "params": copy.deepcopy(params)}
        kept = self.library(value, {"options": [library]}, "")
        return (kept or {}).get("params"), self.problems

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{path or '/'}: {message}")

    def field(self, value: Any, field: dict[str, Any], path: str) -> Any:
        kind = field["type"]
        method = {
            "text": self.text,
            "number": self.number,
            "boolean": self.boolean,
            "select": self.select,
            "list": self.list,
            "group": self.group,
            "library": self.library,
            "image": self.image,
            "file": self.file,
            "audio": self.media_list,
            "video": self.media_list,
        }.get(kind)
        if method is None:
            self.problem(path, f"unknown semantics type {kind}")
            return None
        return method(value, field, path)

    def text(self, value: Any, field: dict[str, Any], path: str) -> str:
        if not isinstance(value, str):
            self.problem(path, f"text expected, got {type(value).__name__}")
            value = ""
        if "tags" in field:
            value = filter_xss(value, allowed_tags(field["tags"]))
        else:
            value = htmlspecialchars(value)
        if "maxLength" in field:
            value = value[: field["maxLength"]]
        regexp = field.get("regexp")
        if regexp and not (value == "" and field.get("optional")):
            flags = re.I if "i" in regexp.get("modifiers", "") else 0
            if not re.search(regexp["pattern"], value, flags):
                self.problem(path, f"does not match {regexp['pattern']}")
        return value

    def number(self, value: Any, field: dict[str, Any], path: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(path, f"number expected, got {value!r}")
            value = 0
        if "min" in field and value < field["min"]:
            value = field["min"]
        if "max" in field and value > field["max"]:
            value = field["max"]
        if "step" in field:
            rest = (value - field.get("min", 0)) % field["step"]
            if rest:
                value -= rest
        if "decimals" in field:
            value = round(value, field["decimals"])
        return value

    def boolean(self, value: Any, field: dict[str, Any], path: str) -> bool:
        if not isinstance(value, bool):
            self.problem(path, f"boolean expected, got {value!r}")
            return False
        return value

    def select(self, value: Any, field: dict[str, Any], path: str) -> Any:
        options = []
        for option in field.get("options", []):
            if option.get("type") == "optgroup":
                options += [o["value"] for o in option["options"]]
            elif "value" in option:
                options.append(option["value"])
        if field.get("multiple"):
            values = value if isinstance(value, list) else []
            return [v for v in values if not options or v in options]
        if options and value not in options:
            self.problem(path, f"{value!r} is not one of {options}")
            if not field.get("optional"):
                value = options[0]
        return htmlspecialchars(str(value)) if isinstance(value, str) else value

    def list(self, value: Any, field: dict[str, Any], path: str) -> Any:
        if not isinstance(value, list):
            self.problem(path, "list expected")
            value = []
        if "max" in field and len(value) > field["max"]:
            self.problem(path, f"more than {field['max']} items")
            value = value[: field["max"]]
        kept = []
        for index, item in enumerate(value):
            item = self.field(item, field["field"], f"{path}[{index}]")
            if item is not None:
                kept.append(item)
        if len(kept) < field.get("min", 0):
            self.problem(path, f"fewer than {field['min']} items")
        return kept or None

    def group(self, value: Any, field: dict[str, Any], path: str, flatten: bool = True) -> Any:
        fields = field["fields"]
        sub = field.get("isSubContent", False)
        if len(fields) == 1 and flatten and not sub:
            # one-field groups are stored as their field's value
            return self.field(value, fields[0], path)
        if not isinstance(value, dict):
            self.problem(path, "object expected")
            return {}
        kept: dict[str, Any] = {}
        by_name = {f["name"]: f for f in fields}
        for key, item in value.items():
            if sub and key == "subContentId":
                kept[key] = item
                continue
            if key not in by_name:
                self.problem(f"{path}/{key}", "no such field in the semantics")
                continue
            child = dict(by_name[key])
            if field.get("optional"):
                child["optional"] = True
            item = self.field(item, child, f"{path}/{key}")
            if item is not None:
                kept[key] = item
        if not field.get("optional") and not field.get("metadata"):
            for child in fields:
                if child["name"] not in value and not _may_be_absent(child):
                    self.problem(f"{path}/{child['name']}", "mandatory field missing")
        return kept

    def library(self, value: Any, field: dict[str, Any], path: str) -> Any:
        if not isinstance(value, dict) or "library" not in value:
            return None
        options = [o["name"] if isinstance(o, dict) else o for o in field["options"]]
        if value["library"] not in options:
            self.problem(path, f"{value['library']} is not one of {options}")
            return None
        self.libraries.append(value["library"])
        machine_name = value["library"].split(" ")[0]
        kept: dict[str, Any] = {"library": value["library"]}
        params = value.get("params", {})
        semantics = {"type": "group", "fields": self.semantics(machine_name)}
        kept["params"] = self.group(params, semantics, f"{path}/params", flatten=False)
        if "metadata" in value:
            metadata = dict(value["metadata"])
            metadata.setdefault("license", "U")
            group = {"type": "group", "fields": METADATA, "metadata": True}
            kept["metadata"] = self.group(metadata, group, f"{path}/metadata", flatten=False)
        if "subContentId" in value:
            if UUID.match(str(value["subContentId"])):
                kept["subContentId"] = value["subContentId"]
            else:
                self.problem(f"{path}/subContentId", "not a UUID")
        valid = {"library", "params", "subContentId", "metadata", *field.get("extraAttributes", [])}
        for key in value:
            if key not in valid:
                self.problem(f"{path}/{key}", "not kept in a library field")
        return {k: kept[k] for k in value if k in kept}

    def file(self, value: Any, field: dict[str, Any], path: str, extra=()) -> Any:
        if not isinstance(value, dict) or not isinstance(value.get("path"), str):
            self.problem(path, "file object with a path expected")
            return None
        kept = dict(value)
        kept["path"] = htmlspecialchars(kept["path"])
        if "mime" in kept:
            kept["mime"] = htmlspecialchars(kept["mime"])
        for key in list(kept):
            if key not in ("path", "mime", "copyright", *extra, *field.get("extraAttributes", [])):
                self.problem(f"{path}/{key}", "not kept in a file")
                del kept[key]
        for key in ("width", "height", "bitrate"):
            if key in kept:
                kept[key] = int(kept[key])
        return kept

    def image(self, value: Any, field: dict[str, Any], path: str) -> Any:
        return self.file(value, field, path, ("width", "height", "originalImage"))

    def media_list(self, value: Any, field: dict[str, Any], path: str) -> Any:
        if not isinstance(value, list):
            self.problem(path, "list of files expected")
            return None
        extra = (
            ("width", "height", "codecs", "quality", "bitrate") if field["type"] == "video" else ()
        )
        return [self.file(v, field, f"{path}[{i}]", extra) for i, v in enumerate(value)]
