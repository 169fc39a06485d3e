"""File writes that lose nothing (govsim.atomic): complete or absent, destinations tried
before the work, and results saved elsewhere when the disk fails midway."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pandas as pd
import pytest

import govsim.atomic as atomic
from govsim.atomic import check_destination, frame_writer, text_writer, write_files
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
        check_destination(tmp_path / "big", "out", need_bytes=2**62)
    assert err.value.path == "out"


def test_a_disk_that_fills_midway_loses_nothing(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    real = atomic.atomic_write

    def full_after_two(path: Path, write):  # type: ignore[no-untyped-def]
        if path.parent == out and len(list(out.iterdir())) >= 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(path, write)

    monkeypatch.setattr(atomic, "atomic_write", full_after_two)
    frame = pd.DataFrame({"a": [1, 2]})
    files = [("one.csv", frame_writer(frame, "csv")), ("two.parquet", frame_writer(frame)),
             ("three.json", text_writer("{}")), ("four.csv", frame_writer(frame, "csv"))]
    with pytest.raises(GovsimError) as err:
        write_files(out, files, "out")
    message = err.value.message
    assert "writing three.json" in message and "No space left on device" in message
    assert "complete there: one.csv, two.parquet" in message
    saved = Path(message.split("written to ")[1].split(" instead")[0])
    assert sorted(p.name for p in saved.iterdir()) == sorted(n for n, _ in files)
    assert sorted(p.name for p in out.iterdir()) == ["one.csv", "two.parquet"]  # no partial file
