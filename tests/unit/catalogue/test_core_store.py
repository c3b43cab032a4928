"""The content-addressed file store, on a local folder and on another fsspec file system."""

import hashlib

import pytest

from imaginecole.catalogue.store import FileStore
from imaginecole.i18n import ImaginecoleError


def test_put_bytes_and_files_addressed_by_sha256(tmp_path):
    store = FileStore(tmp_path / "files")
    sha, size = store.put(b"bonjour")
    assert sha == hashlib.sha256(b"bonjour").hexdigest() and size == 7
    assert (tmp_path / "files" / sha[:2] / sha[2:4] / sha).read_bytes() == b"bonjour"
    source = tmp_path / "x.bin"
    source.write_bytes(b"bonjour")
    assert store.put(source) == (sha, 7)  # the same content is kept once
    with store.open(sha) as fh:
        assert fh.read() == b"bonjour"
    assert store.exists(sha) and store.local_path(sha).is_file()
    # nothing half-written is left beside the files
    leftovers = [p for p in (tmp_path / "files").rglob("*") if p.name.startswith(".incoming")]
    assert leftovers == []


def test_missing_file_and_bad_checksum(tmp_path):
    store = FileStore(tmp_path / "files")
    assert not store.exists("0" * 64)
    with pytest.raises(FileNotFoundError):
        store.open("0" * 64)
    with pytest.raises(ImaginecoleError, match="sha256"):
        store.open("../../etc/passwd")


def test_any_fsspec_url_works(tmp_path):
    store = FileStore("memory://imaginecole-test-store")
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 3_000_000)
    sha, size = store.put(big)
    sha2, _ = store.put(b"petit")
    assert size == 3_000_000 and store.exists(sha) and store.exists(sha2)
    with store.open(sha) as fh:
        assert fh.read() == b"x" * 3_000_000
    assert store.local_path(sha) is None
    assert not store.fs.glob(f"{store.root}/**/.incoming-*")
