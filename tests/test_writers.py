"""Writers that are checked first and lose nothing (issue 19, probes 1, 2 and 4).

Every file govsim writes -- a report page, an XES log, a copied scenario, a results folder --
has its path checked before any work (a path, a name the file system can hold with its
temporary name, a whole path the system can hold, not a directory, its folder created and
tried), is written atomically, and any failure is a ``GovsimError`` naming the path: on the
command line one sentence naming the flag, exit status 2, never a traceback.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import govsim.atomic as atomic
from govsim.atomic import (
    NAME_MAX,
    atomic_write,
    check_destination,
    check_file,
    check_name,
    temp_prefix,
    text_writer,
)
from govsim.errors import GovsimError
from govsim.experiment import report_study as html_report
from govsim.experiment.report_study import Report, make_report
from govsim.scenario import scenario_toml
from govsim.scenario.catalogue import copy_shipped
from tests.test_cli import assert_user_error, cli

sys.path.insert(0, str(Path(__file__).parent))
from _factory import consolidated, fragmented, scenario  # noqa: E402

RUN = ["-n", "2", "--horizon-days", "5", "-j", "1"]
SCALE = int(os.environ.get("GOVSIM_FUZZ_EXAMPLES", "1"))
FUZZ = settings(max_examples=60 * SCALE, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])


def _tiny():
    return scenario({"f": fragmented(), "c": consolidated()}, horizon_days=5)


@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "tiny.toml"
    path.write_text(scenario_toml(_tiny()), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def results():
    import govsim

    return govsim.compare(_tiny(), ["f", "c"], replications=2, seed=1, executor="serial")


@pytest.fixture
def no_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any simulation is a test failure: the request must be refused before it."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a run started before the request was refused")

    monkeypatch.setattr(html_report, "compare", refuse)
    monkeypatch.setattr("govsim.experiment.comparison._execute", refuse)


def _everything(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _temporaries(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".tmp") or "govsim-probe" in p.name]


# ---------------------------------------------------------------------------
# probe 1: long names, checked before any work
# ---------------------------------------------------------------------------


def test_a_temporary_name_never_outgrows_the_limit(tmp_path: Path) -> None:
    for name in ("x" * NAME_MAX, "é" * 127, "报告" * 41 + ".html", "a"):
        prefix = temp_prefix(name)
        assert len(os.fsencode(prefix)) <= 34 and prefix.startswith(".") and \
            prefix.endswith(".")
        assert os.fsencode(name).startswith(os.fsencode(prefix[1:-1]))  # cut between chars
        target = tmp_path / name
        atomic_write(target, text_writer("ok"))
        assert target.read_text() == "ok"
        target.unlink()
    assert list(tmp_path.iterdir()) == []


def test_report_out_of_250_bytes_is_written(tmp_path: Path, tiny_file: Path, capsys) -> None:
    out = tmp_path / ("r" * 245 + ".html")
    code, _, err = cli(["report", str(tiny_file), "--out", str(out), "--no-decomposition",
                        *RUN], capsys)
    assert code == 0, err
    assert out.read_bytes().startswith(b"<!DOCTYPE html>")
    assert _everything(tmp_path) == {out.name}


@pytest.mark.parametrize("out", ["r" * 260 + ".html", "d" * 300 + "/r.html",
                                 "/".join(["d" * 250] * 20) + "/r.html", "bad\0name.html"])
def test_report_out_too_long_is_refused_before_the_runs(out: str, tmp_path: Path,
                                                        tiny_file: Path, no_runs, capsys) -> None:
    code, _, err = cli(["report", str(tiny_file), "--out", f"{tmp_path}/{out}", *RUN], capsys)
    assert_user_error(code, err, "--out")
    assert len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_results_folder_too_long_is_refused_before_the_run(tmp_path: Path, tiny_file: Path,
                                                           no_runs, capsys) -> None:
    for command in ("run", "compare"):
        code, _, err = cli([command, str(tiny_file), "--out", f"{tmp_path}/{'d' * 256}/x",
                            *RUN], capsys)
        assert_user_error(code, err, "--out")
    assert list(tmp_path.iterdir()) == []


def test_scenarios_copy_into_a_folder_too_long(tmp_path: Path, capsys) -> None:
    code, _, err = cli(["scenarios", "copy", "district", f"{tmp_path}/{'d' * 256}"], capsys)
    assert_user_error(code, err, "DIR")
    with pytest.raises(GovsimError) as caught:
        copy_shipped("district", tmp_path / ("d" * 256))
    assert caught.value.path == "directory"
    assert list(tmp_path.iterdir()) == []


def test_check_destination_refuses_names_the_system_cannot_hold(tmp_path: Path) -> None:
    for bad in ("d" * 256, "x/" + "d" * 300, "/".join(["d" * 200] * 25), "a\0b", 5, b"bytes",
                ""):
        given = f"{tmp_path}/{bad}" if isinstance(bad, str) and bad else bad
        with pytest.raises(GovsimError) as caught:
            check_destination(given, "out")  # type: ignore[arg-type]
        assert caught.value.path == "out"
    assert list(tmp_path.iterdir()) == []


def test_check_name_uses_the_file_systems_own_limit(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(atomic, "_limits", lambda path: (40, 4096))
    check_name(tmp_path / ("x" * 26), "path")  # its temporary name: 40 bytes
    with pytest.raises(GovsimError, match="temporary name"):
        check_name(tmp_path / ("x" * 27), "path")  # 41: the file fits, its temporary does not
    monkeypatch.setattr(atomic, "_limits", lambda path: (255, len(str(tmp_path)) + 30))
    with pytest.raises(GovsimError, match="too long a path"):
        check_name(tmp_path / ("x" * 20), "path")
    monkeypatch.undo()
    monkeypatch.setattr(os, "pathconf", lambda *a: (_ for _ in ()).throw(OSError()))
    assert atomic._limits(str(tmp_path)) == (255, 4096)  # the system does not say


# ---------------------------------------------------------------------------
# probe 2: Report.save and Results.to_xes save like every other writer
# ---------------------------------------------------------------------------

PAGE = Report(html="<!DOCTYPE html>\n<p>page</p>\n", comparison=None,  # type: ignore[arg-type]
              decomposition=None)


def _save_page(path: object) -> Path:
    return PAGE.save(path)  # type: ignore[arg-type]


@pytest.fixture(params=["save", "to_xes"])
def writer(request, results):  # type: ignore[no-untyped-def]
    """Report.save or Results.to_xes, as ``write(path)``."""
    return _save_page if request.param == "save" else results.to_xes


@pytest.mark.parametrize("bad", [".", "..", "", 5, None, ["x.html"], b"x.html", "name/",
                                 "x" * 256, "bad\0name"])
def test_a_bad_path_is_a_govsim_error_at_path(bad, writer, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(GovsimError) as caught:
        writer(bad)
    assert caught.value.path == "path"
    assert list(tmp_path.iterdir()) == []


def test_a_directory_is_refused(writer, tmp_path: Path) -> None:
    with pytest.raises(GovsimError, match="directory") as caught:
        writer(tmp_path)
    assert caught.value.path == "path"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc")
def test_a_read_only_place_is_refused(writer) -> None:
    with pytest.raises(GovsimError, match="cannot write into") as caught:
        writer("/proc/self/page.out")
    assert caught.value.path == "path"


def test_a_file_in_the_way_is_refused(writer, tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(GovsimError, match="cannot write into|not a directory") as caught:
        writer(tmp_path / "f" / "page.out")
    assert caught.value.path == "path"
    assert _everything(tmp_path) == {"f"}


def test_a_missing_folder_is_made_and_a_254_byte_name_written(writer, tmp_path: Path) -> None:
    target = tmp_path / "new" / "deeper" / ("p" * 250 + ".out")
    writer(target)
    assert target.stat().st_size > 0
    assert _everything(tmp_path) == {"new", "new/deeper", f"new/deeper/{target.name}"}


def test_a_full_disk_loses_nothing(writer, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    real = atomic.atomic_write
    calls = []

    def full_the_first_time(path: Path, write):  # type: ignore[no-untyped-def]
        calls.append(path)
        if len(calls) == 1:  # half a file, then the disk is full
            def half(fh):  # type: ignore[no-untyped-def]
                fh.write(b"<half")
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real(path, half)
        return real(path, write)

    monkeypatch.setattr(atomic, "atomic_write", full_the_first_time)
    target = tmp_path / "out" / "page.out"
    with pytest.raises(GovsimError, match="No space left on device") as caught:
        writer(target)
    assert caught.value.path == "path"
    assert _everything(tmp_path) == set()  # no half file, no temporary, no folder made for it
    saved = Path(caught.value.message.split("written to ")[1].split(" instead")[0])
    try:
        assert saved.name == "page.out" and saved.stat().st_size > 20
    finally:
        saved.unlink()
        saved.parent.rmdir()


def test_an_unsaveable_page_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def always_full(path: Path, write) -> None:  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic, "atomic_write", always_full)
    with pytest.raises(GovsimError, match="could not be saved elsewhere either"):
        PAGE.save(tmp_path / "page.html")


def test_a_failed_run_leaves_no_folder_behind(tmp_path: Path, tiny_file: Path,
                                              monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    import govsim

    def broken(*args: object, **kwargs: object) -> None:
        raise GovsimError("the run went wrong", "executor")

    monkeypatch.setattr(govsim, "compare", broken)
    monkeypatch.setattr(html_report, "compare", broken)  # after the page's folder was made
    for argv in (["compare", str(tiny_file), "--out", str(tmp_path / "a" / "b")],
                 ["report", str(tiny_file), "--out", str(tmp_path / "a" / "b" / "r.html")]):
        code, _, err = cli([*argv, *RUN], capsys)
        assert_user_error(code, err, "--executor")
        assert list(tmp_path.iterdir()) == [], argv


def test_check_file_resolves_dotdot_as_written(tmp_path: Path) -> None:
    assert check_file(tmp_path / "new" / ".." / "x.html", "out") == tmp_path / "x.html"
    assert list(tmp_path.iterdir()) == []  # tried, not written


# ---------------------------------------------------------------------------
# probe 4: the report's text arguments
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "where"), [({"source": 5}, "source"),
                                               ({"command": ["govsim"]}, "command"),
                                               ({"source": None}, "source"),
                                               ({"ready": "later"}, "ready")])
def test_make_report_refuses_non_text_by_name(kwargs, where, no_runs) -> None:
    with pytest.raises(GovsimError) as caught:
        make_report(_tiny(), replications=2, executor="serial", **kwargs)
    assert caught.value.path == where


# ---------------------------------------------------------------------------
# fuzzing: any file name is written or refused as a GovsimError, and leaves nothing behind
# ---------------------------------------------------------------------------

_ODD = st.sampled_from(["/", ".", "\0", " ", "\n", "\\", "*", "?", ":", "~", "-", "é",
                        "报", "🙂", "\udcff", "\ud800", "$", "%", "'", '"', "<", ">", "|"])
NAMES = st.one_of(
    st.text(alphabet=st.one_of(_ODD, st.characters(codec="utf-8")), max_size=40),
    st.lists(st.sampled_from(["", ".", "..", "a", "é", "\0", "x" * 255, "y" * 256]),
             max_size=4).map("/".join),
    st.builds(lambda c, n, tail: c * n + tail, st.sampled_from(["a", "é", "报", "x/"]),
              st.integers(0, 300), st.sampled_from(["", ".html", "/", "/x", "\0"])),
    st.binary(max_size=300).map(os.fsdecode),
).filter(lambda name: ".." not in name.split("/"))  # never out of the test's own folder


def _written_or_refused(write, name: str, root: Path) -> None:  # type: ignore[no-untyped-def]
    before = _everything(root)
    try:
        written = write(f"{root}/{name}")
    except GovsimError as exc:
        assert exc.path in ("path", "directory", "out"), exc
        assert _everything(root) == before, name  # nothing made, nothing left
        return
    assert not _temporaries(root), name
    if isinstance(written, Path):
        assert written.exists()


@FUZZ
@given(name=NAMES)
def test_fuzz_report_save(name: str, tmp_path: Path) -> None:
    root = tmp_path / "save"
    root.mkdir(exist_ok=True)
    _written_or_refused(_save_page, name, root)


@FUZZ
@given(name=NAMES)
def test_fuzz_to_xes(name: str, results, tmp_path: Path) -> None:
    root = tmp_path / "xes"
    root.mkdir(exist_ok=True)
    _written_or_refused(results.to_xes, name, root)


@FUZZ
@given(name=NAMES)
def test_fuzz_folders(name: str, tmp_path: Path) -> None:
    root = tmp_path / "dirs"
    root.mkdir(exist_ok=True)
    _written_or_refused(lambda p: check_destination(p, "out"), name, root)
    _written_or_refused(lambda p: copy_shipped("district", p), name, root)
