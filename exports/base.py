"""What every exporter is: a name, the bundles it takes, and `export()`.

Exporter modules import cheaply; heavy libraries load inside `export()`.
"""

from __future__ import annotations

import mimetypes
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from imaginecole.bundle import load_manifest
from imaginecole.i18n import ImaginecoleError

# inline media up to this size in single-file outputs; larger ones go beside the page
INLINE_MEDIA_LIMIT = 2 * 1024 * 1024


@dataclass
class Bundle:
    """A bundle read once for all the exporters that need it."""

    path: Path
    manifest: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path | str) -> Bundle:
        path = Path(path)
        return cls(path=path, manifest=load_manifest(path))

    @property
    def type(self) -> str:
        return self.manifest.get("type", "grain")

    @property
    def language(self) -> str:
        return self.manifest.get("metadata", {}).get("language", "fr")

    @property
    def title(self) -> str:
        return self.manifest.get("metadata", {}).get("title", self.path.name)

    def media_paths(self) -> list[str]:
        """Every `media/...` path the manifest refers to, sorted, each once."""
        found: set[str] = set()

        def walk(value: Any) -> None:
            if isinstance(value, dict):
                for key, item in value.items():
                    if key == "src" and isinstance(item, str) and item.startswith("media/"):
                        found.add(item)
                    else:
                        walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)

        walk(self.manifest)
        return sorted(found)

    def media_bytes(self, media_path: str) -> bytes:
        return (self.path / media_path).read_bytes()

    def media_type(self, media_path: str) -> str:
        return mimetypes.guess_type(media_path)[0] or "application/octet-stream"


class Exporter:
    """Base class: subclasses set the class attributes and write `export()`."""

    name: ClassVar[str] = ""
    extension: ClassVar[str] = ""  # of the file written, e.g. ".html" or ".zip"
    bundle_types: ClassVar[frozenset[str]] = frozenset({"grain"})
    description: ClassVar[str] = ""  # English message id, shown through gettext
    # options this exporter takes from the CLI (e.g. {"with_libraries"}); others are ignored
    option_names: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, **options: Any) -> None:
        self.options = {k: v for k, v in options.items() if k in self.option_names}

    def accepts(self, bundle: Bundle) -> bool:
        return bundle.type in self.bundle_types

    def default_output(self, bundle: Bundle, out_dir: Path) -> Path:
        return out_dir / f"{bundle.path.name}{self.extension}"

    def export(self, bundle: Bundle, out: Path) -> Path:
        """Write the package for `bundle` at `out` and return the path written."""
        raise NotImplementedError


def installed_template_dirs(name: str) -> list[Path]:
    """The template folder `name` in this checkout (``templates/<name>``), then where
    ``pip install`` puts it (``<prefix>/share/jupyter/<name>``)."""
    return [
        Path(__file__).resolve().parents[1] / "templates" / name,
        Path(sys.prefix) / "share" / "jupyter" / name,
    ]


def first_template_dir(
    tried: list[Path], names: tuple[str, ...], missing: str, /, **values: object
) -> Path:
    """The first of the `tried` folders that holds all the template files `names`.

    None does: ImaginecoleError `missing`, a message id given `paths` (the folders tried)
    and `values`.
    """
    for folder in tried:
        if all((folder / name).is_file() for name in names):
            return folder
    raise ImaginecoleError(missing, paths=", ".join(str(p) for p in tried), **values)


def write_output(out: Path, data: bytes) -> Path:
    """Write a package file whole: a failed export never leaves half a file at `out`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    partial.write_bytes(data)
    partial.replace(out)
    return out


class ExportError(ImaginecoleError):
    """An export that cannot be made, with what to do about it."""
