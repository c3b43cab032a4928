"""The content-addressed file store: every published file once, named by its sha256.

On any fsspec file system: a local folder by default, ``s3://bucket/prefix`` or
another URL for a country's deployment. Layout ``ab/cd/<sha256>``. A file is
written whole or not at all: on a local disk through a temporary file renamed
into place; object stores make an object visible only once it is complete.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import uuid
from pathlib import Path
from typing import BinaryIO

from ..i18n import ImaginecoleError

CHUNK = 1 << 20
SMALL_FILE = 4 << 20
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class FileStore:
    """put / open / exists for files addressed by their sha256 (lower-case hex)."""

    def __init__(self, url: str | os.PathLike[str]) -> None:
        import fsspec.core

        self.url = str(url)
        self.fs, root = fsspec.core.url_to_fs(self.url)
        self.local = "file" in _protocols(self.fs)
        self.root = (
            str(Path(root).resolve()) if self.local else root.rstrip("/") or self.fs.root_marker
        )
        if self.local:
            Path(self.root).mkdir(parents=True, exist_ok=True)

    def key(self, sha256: str) -> str:
        """Where the file of `sha256` lives, under the root: ab/cd/<sha256>."""
        if not isinstance(sha256, str) or not _SHA256.match(sha256):
            raise ImaginecoleError(
                "« {value} » is not a sha256 checksum (64 hexadecimal characters).",
                value=str(sha256)[:80],
            )
        return f"{self.root}/{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def exists(self, sha256: str) -> bool:
        key = self.key(sha256)
        return os.path.isfile(key) if self.local else bool(self.fs.exists(key))

    def open(self, sha256: str) -> BinaryIO:
        """The stored file, opened for reading; FileNotFoundError if absent."""
        key = self.key(sha256)
        if self.local:
            return open(key, "rb")
        return self.fs.open(key, "rb")

    def local_path(self, sha256: str) -> Path | None:
        """The file's path on the local disk, or None for a remote store or a missing file."""
        if not self.local:
            return None
        path = Path(self.key(sha256))
        return path if path.is_file() else None

    def put(self, source: bytes | str | os.PathLike[str]) -> tuple[str, int]:
        """Store bytes or a file; return (sha256, size). Storing the same content twice is free."""
        if isinstance(source, bytes | bytearray | memoryview):
            data = bytes(source)
            sha = hashlib.sha256(data).hexdigest()
            if not self.exists(sha):
                self._write(sha, data=data)
            return sha, len(data)
        path = Path(source)
        if path.stat().st_size <= SMALL_FILE:  # read once, hash and write from memory
            return self.put(path.read_bytes())
        sha, size = file_sha256(path)
        if not self.exists(sha):
            self._write(sha, path=path)
        return sha, size

    def _write(self, sha: str, *, data: bytes | None = None, path: Path | None = None) -> None:
        key = self.key(sha)
        if self.local:
            folder = Path(key).parent
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".incoming-", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as out:
                    if data is not None:
                        out.write(data)
                    else:
                        assert path is not None
                        with path.open("rb") as src:
                            while chunk := src.read(CHUNK):
                                out.write(chunk)
                os.chmod(tmp, 0o644)
                os.replace(tmp, key)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            return
        if data is not None:
            self.fs.pipe_file(key, data)
        else:
            parent = key.rsplit("/", 1)[0]
            self.fs.makedirs(parent, exist_ok=True)
            # a unique temporary name, moved once complete, for stores without atomic objects
            partial = f"{parent}/.incoming-{uuid.uuid4().hex}"
            self.fs.put_file(str(path), partial)
            self.fs.mv(partial, key)


def file_sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _protocols(fs: object) -> tuple[str, ...]:
    protocol = getattr(fs, "protocol", ())
    return (protocol,) if isinstance(protocol, str) else tuple(protocol)
