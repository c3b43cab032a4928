"""Zips: written byte-identical, read without ever leaving the target folder."""

import stat
import zipfile

import pytest
from imaginecole.exports.archive import safe_extract, write_zip

from imaginecole.i18n import ImaginecoleError


def make_zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data, *mode in members:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if mode:
                info.external_attr = mode[0] << 16
            archive.writestr(info, data)
    return path


def test_write_zip_is_deterministic_and_sorted(tmp_path):
    entries = [("b.txt", b"2"), ("a/index.html", b"<p>1</p>")]
    one = write_zip(tmp_path / "one.zip", entries).read_bytes()
    two = write_zip(tmp_path / "two.zip", list(reversed(entries))).read_bytes()
    assert one == two
    with zipfile.ZipFile(tmp_path / "one.zip") as archive:
        assert archive.namelist() == ["a/index.html", "b.txt"]
        assert {i.date_time for i in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}


@pytest.mark.parametrize(
    "name", ["../evil.txt", "/etc/evil", "a/../../evil", "C:/evil", "a\\..\\evil"]
)
def test_write_zip_refuses_names_that_leave_the_folder(tmp_path, name):
    with pytest.raises(ImaginecoleError):
        write_zip(tmp_path / "x.zip", [(name, b"x")])
    assert not (tmp_path / "x.zip").exists()


def test_safe_extract_unpacks_a_normal_package(tmp_path):
    archive = make_zip(tmp_path / "ok.zip", [("h5p.json", b"{}"), ("content/images/a.png", b"png")])
    written = safe_extract(archive, tmp_path / "out")
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in written) == [
        "content/images/a.png",
        "h5p.json",
    ]


@pytest.mark.parametrize("evil", ["../escape.txt", "content/../../escape.txt", "/abs.txt"])
def test_zip_slip_writes_nothing_at_all(tmp_path, evil):
    archive = make_zip(tmp_path / "slip.zip", [("first.txt", b"1"), (evil, b"pwned")])
    target = tmp_path / "out"
    with pytest.raises(ImaginecoleError) as err:
        safe_extract(archive, target)
    assert "[en]" in str(err.value)
    assert not (tmp_path / "escape.txt").exists()
    assert not target.exists() or not any(target.rglob("*"))  # nothing half-unpacked


def test_symlinks_are_refused(tmp_path):
    archive = make_zip(tmp_path / "link.zip", [("link", b"/etc/passwd", stat.S_IFLNK | 0o777)])
    with pytest.raises(ImaginecoleError, match="lien|link"):
        safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "out" / "link").exists()


def test_zip_bombs_are_capped(tmp_path):
    archive = make_zip(tmp_path / "bomb.zip", [("zeros.bin", b"\0" * 20_000_000)])
    assert archive.stat().st_size < 100_000
    with pytest.raises(ImaginecoleError):
        safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "out" / "zeros.bin").exists()


def test_size_limit_is_enforced(tmp_path):
    archive = make_zip(tmp_path / "big.zip", [("a.bin", bytes(range(256)) * 4000)])
    with pytest.raises(ImaginecoleError):
        safe_extract(archive, tmp_path / "out", max_bytes=100_000)
