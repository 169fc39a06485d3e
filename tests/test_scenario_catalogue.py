"""The shipped scenarios, found by name (govsim.scenario.catalogue) and the ``govsim scenarios``
command (govsim.cli.scenarios).

The scenarios are the package data of ``govsim.shipped`` (the repository's ``scenarios/``);
``tests/test_wheel.py`` checks that an installed wheel carries them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import govsim
from govsim.errors import GovsimError
from govsim.experiment.checks import resolve_scenario
from govsim.scenario import load_scenario
from govsim.scenario.catalogue import (
    copy_shipped,
    is_scenario_name,
    shipped_by_name,
    shipped_names,
    shipped_scenarios,
)
from tests.test_cli import cli

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted(p.stem for p in (ROOT / "scenarios").glob("*.toml"))
ERROR_LINE = re.compile(r"^govsim: error: (\S+): (\S.*)$")


def error_of(err: str) -> tuple[str, str]:
    """The one error line's (flag, sentence)."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    m = ERROR_LINE.match(lines[0])
    assert m, err
    return m[1], m[2]


# ---------------------------------------------------------------------------
# the catalogue
# ---------------------------------------------------------------------------


def test_the_catalogue_is_the_repository_scenarios() -> None:
    assert len(SHIPPED) >= 3
    assert list(shipped_names()) == SHIPPED
    described = shipped_scenarios()
    assert list(described) == SHIPPED
    assert all(described.values())  # every shipped scenario says what it is


@pytest.mark.parametrize("name", SHIPPED)
def test_a_name_loads_the_shipped_file(name: str, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # nowhere near the repository's scenarios/
    assert load_scenario(name) == load_scenario(ROOT / "scenarios" / f"{name}.toml")


@pytest.mark.parametrize("arg, is_name", [
    ("district", True), ("my-city_2", True), ("district.toml", False),
    ("district.TOML", False), ("scenarios/district", False), ("./district", False),
    ("", False), (Path("district"), False), (3, False)])
def test_what_counts_as_a_name(arg: object, is_name: bool) -> None:
    assert is_scenario_name(arg) is is_name


def test_an_unknown_name_lists_the_shipped_ones(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for call in (load_scenario, resolve_scenario, govsim.load_scenario):
        with pytest.raises(GovsimError) as info:
            call("no_such_city")
        assert info.value.path == "scenario"
        assert "'no_such_city'" in info.value.message
        assert all(name in info.value.message for name in SHIPPED)
    with pytest.raises(GovsimError, match="did you mean 'district'"):
        load_scenario("distrct")
    with pytest.raises(GovsimError, match="shipped scenarios are"):
        govsim.run("no_such_city", replications=1, jobs=1)


def test_an_existing_file_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = (ROOT / "scenarios" / "district.toml").read_text(encoding="utf-8")
    mine = text.replace('name = "district"', 'name = "my_district"', 1)
    assert mine != text
    Path("district").write_text(mine, encoding="utf-8")  # a file named like a shipped one
    assert shipped_by_name("district") is None
    assert load_scenario("district").name == "my_district"


def test_a_directory_is_no_scenario_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("district").mkdir()  # e.g. results named after the scenario
    assert load_scenario("district").name == "district"
    Path("results").mkdir()
    with pytest.raises(GovsimError, match="'results' is a directory") as info:
        load_scenario("results")
    assert "district" in info.value.message


def test_a_path_is_never_looked_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for arg in ("./district", "district.toml", Path("district"), os.path.join("x", "district")):
        with pytest.raises(GovsimError, match="does not exist"):
            load_scenario(arg)


def test_a_name_whose_toml_file_exists_is_told_so(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("mycity.toml").write_text("", encoding="utf-8")
    with pytest.raises(GovsimError, match="the file 'mycity.toml' exists"):
        load_scenario("mycity")


def test_a_name_too_long_for_the_system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(GovsimError, match="no shipped scenario of that name"):
        load_scenario("x" * 5000)


def test_an_installation_without_the_package_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    from govsim.scenario import catalogue

    monkeypatch.setattr(catalogue, "PACKAGE", "govsim.no_such_package")
    with pytest.raises(GovsimError, match="no shipped scenarios .*install govsim again"):
        load_scenario("district")


# ---------------------------------------------------------------------------
# every command takes a name
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("argv", [
    ["validate", "district"],
    ["run", "shanghai_leak", "-n", "1", "--horizon-days", "120", "--jobs", "1"],
    ["compare", "district", "-n", "2", "--horizon-days", "3", "--jobs", "1", "--no-events",
     "--regimes", "fragmented,consolidated"],
    ["journey", "shanghai_leak", "--horizon-days", "120"],
])
def test_commands_take_a_shipped_name(argv: list[str], tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(argv, capsys)
    assert code == 0, err
    assert out


def test_an_unknown_name_on_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(["compare", "no_such_city", "-n", "2"], capsys)
    assert code == 2
    assert out == ""
    flag, sentence = error_of(err)
    assert flag == "SCENARIO"
    assert "'no_such_city'" in sentence
    assert all(name in sentence for name in SHIPPED)


def test_the_api_runs_a_shipped_name() -> None:
    res = govsim.compare("district", ["fragmented", "consolidated"], replications=2,
                         horizon_days=2, jobs=1, record_events=False)
    assert res.scenario.name == "district"
    assert len(res.cases)


# ---------------------------------------------------------------------------
# govsim scenarios
# ---------------------------------------------------------------------------


def test_listing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(["scenarios"], capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == SHIPPED  # one a line, name first
    for line, (name, description) in zip(lines, shipped_scenarios().items(), strict=True):
        assert line.startswith(name) and line.endswith(description)
    assert "govsim compare district" in err
    assert "notebooks/" in err


@pytest.mark.parametrize("name", SHIPPED)
def test_copy_loads_back_identically(name: str, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "new" / "deeper"  # created, however deep
    code, out, err = cli(["scenarios", "copy", name, str(target)], capsys)
    assert code == 0, err
    written = target / f"{name}.toml"
    assert out.strip() == str(written)
    assert sorted(p.name for p in target.iterdir()) == [f"{name}.toml"]  # no temporary left
    assert written.read_bytes() == (ROOT / "scenarios" / f"{name}.toml").read_bytes()
    assert load_scenario(written) == load_scenario(name)


def test_copy_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mine = tmp_path / "district.toml"
    mine.write_text("# my edits\n", encoding="utf-8")
    code, out, err = cli(["scenarios", "copy", "district", str(tmp_path)], capsys)
    assert code == 2
    assert out == ""
    flag, sentence = error_of(err)
    assert flag == "DIR"
    assert str(mine) in sentence and "already exists" in sentence
    assert mine.read_text(encoding="utf-8") == "# my edits\n"
    # nor through a link that points nowhere
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "district.toml").symlink_to(tmp_path / "gone.toml")
    with pytest.raises(GovsimError, match="already exists"):
        copy_shipped("district", tmp_path / "other")
    assert not (tmp_path / "gone.toml").exists()


def test_copy_refusals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(["scenarios", "copy", "shishi", str(tmp_path / "a")], capsys)
    assert code == 2
    flag, sentence = error_of(err)
    assert flag == "NAME"
    assert "did you mean 'shishi_12345'" in sentence
    assert not (tmp_path / "a").exists()  # nothing made for a name that is not shipped
    afile = tmp_path / "afile"
    afile.write_text("", encoding="utf-8")
    code, _, err = cli(["scenarios", "copy", "district", str(afile)], capsys)
    assert code == 2
    assert error_of(err)[0] == "DIR"
    code, _, err = cli(["scenarios", "copy", "district"], capsys)
    assert code == 2  # argparse: DIR is required
