"""SVG to PNG or PDF with Debian's rsvg-convert (librsvg: Pango shapes Arabic, fontconfig
finds Comic Neue, Andika and Amiri by family name). Imported by ``render`` as its API.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..i18n import N_, ImaginecoleError

RASTER_TIMEOUT = 120


class RsvgError(ImaginecoleError):
    """rsvg-convert is ``missing``, took too long (``timeout``) or ``failed``: the `reason`."""

    def __init__(self, reason: str, message: str, returncode: int | None = None, **values):
        self.reason = reason
        self.returncode = returncode
        super().__init__(message, **values)


def _rsvg_convert() -> str:
    found = shutil.which("rsvg-convert")
    if found is None:
        raise RsvgError(
            "missing",
            N_(
                "rsvg-convert is missing: install the Debian package librsvg2-bin "
                "(apt-get install librsvg2-bin)"
            ),
        )
    return found


def _raster_options(width: int | None, dpi: float | None, fmt: str) -> list[str]:
    if fmt not in ("png", "pdf"):
        raise ValueError(f"fmt must be 'png' or 'pdf', not {fmt!r}")
    options = ["--format", fmt]
    if width is not None:
        options += ["--width", str(int(width)), "--keep-aspect-ratio"]
    if dpi is not None:
        options += ["--dpi-x", str(dpi), "--dpi-y", str(dpi)]
    return options


def _run_rsvg(
    args: list[str],
    stdin: bytes | None,
    timeout: float = RASTER_TIMEOUT,
    env: dict[str, str] | None = None,
) -> bytes:
    try:
        done = subprocess.run(
            args, input=stdin, capture_output=True, timeout=timeout, env=env, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise RsvgError(
            "timeout",
            N_(
                "rsvg-convert took more than {seconds} s to draw the page: "
                "use smaller images or fewer elements"
            ),
            seconds=timeout,
        ) from exc
    if done.returncode != 0:
        raise RsvgError(
            "failed",
            N_("rsvg-convert could not draw the page: {error}"),
            done.returncode,
            error=done.stderr.decode("utf-8", "replace").strip()[:500],
        )
    return done.stdout


def rasterize(
    svg_bytes: bytes, *, width: int | None = None, dpi: float | None = None, fmt: str = "png"
) -> bytes:
    """PNG or PDF bytes of one SVG document, drawn by rsvg-convert (`width` in px)."""
    return _run_rsvg([_rsvg_convert(), *_raster_options(width, dpi, fmt)], svg_bytes)


def rasterize_pages(
    svgs: list[bytes],
    *,
    width: int | None = None,
    dpi: float | None = None,
    fmt: str = "pdf",
    timeout: float = RASTER_TIMEOUT,
    env: dict[str, str] | None = None,
) -> bytes:
    """One multi-page PDF from several SVG documents (one page each), by one rsvg-convert.

    `timeout` is for the whole document; `env` is rsvg-convert's environment (cairo reads
    the PDF's dates from ``SOURCE_DATE_EPOCH``).
    """
    if not svgs:
        raise ValueError("no page to draw")
    with tempfile.TemporaryDirectory(prefix="imaginecole-comic-") as tmp:
        names = []
        for i, data in enumerate(svgs):
            path = Path(tmp) / f"{i:04d}.svg"
            path.write_bytes(data)
            names.append(str(path))
        args = [_rsvg_convert(), *_raster_options(width, dpi, fmt), *names]
        return _run_rsvg(args, None, timeout, env)
