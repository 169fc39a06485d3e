"""File writes that lose nothing (govsim.atomic): complete or absent, destinations tried
before the work, and results saved elsewhere when the disk fails midway."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pandas as pd
import pytest

from govsim.atomic import check_destination, frame_writer, write_files
from govsim.errors import GovsimError


def test_a_missing_directory_is_created_and_tried(tmp_path: Path) -> None:
    out = check_destination(tmp_path / "a" / "b", "out")
    assert out.is_dir() and list(out.iterdir()) == []  # the probe file is gone


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc")
def test_an_unwritable_directory_is_one_sentence() -> None:
    with pytest.raises(GovsimError, match="cannot write into '/proc/self/govsim-out'") as err:
        check_destination("/proc/self/govsim-out", "out")
    assert err.value.path == "out"


def test_a_file_in_the_way_and_too_little_space(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(GovsimError, match="not a directory"):
        check_destination(tmp_path / "f", "out")
    with pytest.raises(GovsimError, match="free some space") as err:
        check_destination(tmp_path / "big" / "deeper", "out", need_bytes=2**62)
    assert err.value.path == "out"
    assert not (tmp_path / "big").exists()  # what the check made, it removed


def test_a_refused_path_through_dotdot_leaves_nothing(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "f").write_text("x")
    for bad in ("new/../f/sub", "a/b/../../f/sub"):
        with pytest.raises(GovsimError, match="cannot write into"):
            check_destination(bad, "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]


def test_a_disk_that_fills_midway_loses_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    calls = {"n": 0}

    def fills_the_first_time(fh):  # type: ignore[no-untyped-def]
        """Writes half a file, then the disk is full (only the first time: the second copy,
        in the fallback directory, goes through)."""
        calls["n"] += 1
        fh.write(b"{\"half\": ")
        if calls["n"] == 1:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        fh.write(b"1}")

    frame = pd.DataFrame({"a": [1, 2]})
    files = [("one.csv", frame_writer(frame, "csv")), ("two.parquet", frame_writer(frame)),
             ("three.json", fills_the_first_time), ("four.csv", frame_writer(frame, "csv"))]
    with pytest.raises(GovsimError) as err:
        write_files(out, files, "out")
    message = err.value.message
    assert "writing three.json" in message and "No space left on device" in message
    assert "complete there: one.csv, two.parquet" in message
    saved = Path(message.split("written to ")[1].split(" instead")[0])
    assert sorted(p.name for p in saved.iterdir()) == sorted(n for n, _ in files)
    # no partial file, no temporary file
    assert sorted(p.name for p in out.iterdir()) == ["one.csv", "two.parquet"]
    assert (saved / "three.json").read_text() == '{"half": 1}'
