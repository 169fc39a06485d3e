"""Tests for the ``govsim`` command line (govsim.cli)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
DISTRICT = ROOT / "scenarios" / "district.toml"
DISTRICT_TEXT = DISTRICT.read_text(encoding="utf-8")

# Small runs keep the file fast: 10 simulated days, 2-3 replications, one process.
SMALL = ["--horizon-days", "10", "--jobs", "1"]
# Tinier still, where only the shape of the output matters.
TINY = ["--replications", "2", "--horizon-days", "3", "--jobs", "1", "--no-events"]
#: the district's two presets (its hybrids are compared elsewhere)
PRESETS = ["--regimes", "fragmented,consolidated"]


def json_args(jobs: int = 1) -> list[str]:
    """The small JSON comparison of the brief: 3 replications of 10 days."""
    return ["compare", str(DISTRICT), "--replications", "3", "--horizon-days", "10",
            "--jobs", str(jobs), "--json", *PRESETS]


HEADLINE = [
    "resolution_days_median",
    "resolved_share",
    "contacts_per_case",
    "units_per_case",
    "street_office_shifted_cost_yuan",
    "street_office_shifted_hours",
    "public_cost_yuan",
]

ERROR_LINE = re.compile(r"^govsim: error: (\S+): (\S.*)$")


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``govsim argv`` in-process: (exit status, stdout, stderr).

    argparse refuses bad flag values by raising SystemExit(2); that counts as the exit status.
    """
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def edited(*edits: tuple[str, str]) -> str:
    """The district TOML text with each ``(old, new)`` edit applied (``old`` must be unique)."""
    text = DISTRICT_TEXT
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def write_toml(tmp_path: Path, text: str, name: str = "scenario.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_user_error(code: int, err: str, where: str) -> None:
    """Exit status 2, ``where`` named on stderr, and no traceback."""
    assert code == 2, err
    assert where in err
    assert "Traceback" not in err


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


# ---------------------------------------------------------------------------
# validate
# ---------------------------------------------------------------------------


def test_validate_district_ok(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(["validate", str(DISTRICT)], capsys)
    assert code == 0, err
    assert "ok" in out
    assert "'district'" in out
    assert "fragmented, consolidated" in out
    assert err == ""


def test_validate_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write_toml(tmp_path, edited(('unit = "housing_bureau"\nweight = 1.0',
                                       'unit = "housing_burea"\nweight = 1.0')))
    code, out, err = cli(["validate", str(bad)], capsys)
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert lines == [
        "govsim: error: regimes.fragmented.channels[2].unit: unknown unit 'housing_burea'"
    ]
    match = ERROR_LINE.match(lines[0])
    assert match is not None


def test_validate_lists_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write_toml(tmp_path, edited(
        ('unit = "housing_bureau"\nweight = 1.0', 'unit = "housing_burea"\nweight = 1.0'),
        ('fix_money_source = "maintenance_fund"', 'fix_money_source = "maintenance_fnd"'),
    ))
    code, _, err = cli(["validate", str(bad)], capsys)
    assert code == 2
    assert "govsim: error: regimes.fragmented.channels[2].unit: unknown unit 'housing_burea'" in err
    assert ("govsim: error: world.categories.roof_leak.fix_money_source: "
            "unknown fund 'maintenance_fnd'") in err
    assert f"govsim: 2 problems in {bad}" in err


# One case per kind of bad input: (edits to the district TOML, key path expected on stderr).
BAD_FILES: dict[str, tuple[list[tuple[str, str]], str]] = {
    "unknown_key": (
        [("[world.categories.roof_leak]\n", "[world.categories.roof_leak]\nrate_per_dya = 1.0\n")],
        "world.categories.roof_leak.rate_per_dya",
    ),
    "string_for_number": (
        [("staff = 30  ", 'staff = "3" ')],
        "world.units.street_office.staff",
    ),
    "negative_rate": (
        [("rate_per_day = 0.3 ", "rate_per_day = -0.3 ")],
        "world.categories.roof_leak.rate_per_day",
    ),
    "probability_above_1": (
        [("give_up_prob = 0.08", "give_up_prob = 1.08")],
        "world.citizens.give_up_prob",
    ),
    "probability_below_0": (
        [("refer_prob = 0.4              # shared assumption: a non-owner",
          "refer_prob = -0.4              # shared assumption: a non-owner")],
        "regimes.fragmented.deflection.refer_prob",
    ),
    "owner_not_a_unit": (
        [('owners = ["social_org"]', 'owners = ["social_orgg"]')],
        "world.categories.community_dispute.owners[0]",
    ),
    "channel_unit_unknown": (
        [('unit = "housing_bureau"\nweight = 1.0', 'unit = "housing_burea"\nweight = 1.0')],
        "regimes.fragmented.channels[2].unit",
    ),
    "fund_unknown": (
        [('fix_money_source = "maintenance_fund"', 'fix_money_source = "maintenance_fnd"')],
        "world.categories.roof_leak.fix_money_source",
    ),
    "bad_office_hours": (
        [('hours = "08:30-17:30"         # assumption: government office day',
          'hours = "8.30 to 17.30"')],
        "world.units.street_office.hours:",
    ),
    "bad_calendar_office_hours": (
        [('office_hours = "08:30-17:30"', 'office_hours = "17:30-08:30"')],
        "world.calendar.office_hours:",
    ),
    "seasonal_not_12_long": (
        [("seasonal = [0.5, 0.5, 0.8,", "seasonal = [0.5, 0.8,")],
        "world.categories.roof_leak.seasonal:",
    ),
    "unknown_regime_kind": (
        [('preset = "fragmented"', 'kind = "anarchic"')],
        "regimes.fragmented.kind:",
    ),
    "advance_without_advancer": (
        [('advancer = "street_office"    #   the case', "# no advancer")],
        "regimes.fragmented.funding.advancer",
    ),
    "horizon_reaching_2027": (
        [("horizon_days = 365 ", "horizon_days = 800 ")],
        "world.calendar",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_validate_refuses_bad_input(case: str, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    edits, path = BAD_FILES[case]
    bad = write_toml(tmp_path, edited(*edits))
    code, out, err = cli(["validate", str(bad)], capsys)
    assert_user_error(code, err, f"govsim: error: {path}")
    assert out == ""
    for line in err.splitlines():
        assert ERROR_LINE.match(line), line


@pytest.mark.parametrize("command", ["run", "compare"])
def test_simulate_commands_refuse_bad_input(command: str, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    edits, path = BAD_FILES["channel_unit_unknown"]
    bad = write_toml(tmp_path, edited(*edits))
    code, out, err = cli([command, str(bad), "--replications", "1", *SMALL], capsys)
    assert_user_error(code, err, f"govsim: error: {path}: unknown unit 'housing_burea'")
    assert out == ""


def test_horizon_reaching_2027_accepted_without_country(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    good = write_toml(tmp_path, edited(("horizon_days = 365 ", "horizon_days = 800 "),
                                       ('country = "CN"', 'country = "none"')))
    code, out, err = cli(["validate", str(good)], capsys)
    assert code == 0, err
    assert "ok" in out


def test_horizon_days_flag_reaching_2027_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(["run", str(DISTRICT), "--replications", "1", "--jobs", "1",
                          "--horizon-days", "800"], capsys)
    assert_user_error(code, err, "govsim: error: world.calendar: ")
    assert "2027" in err
    assert out == ""


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nosuch.toml"
    for argv in (["validate", str(missing)], ["run", str(missing), *SMALL]):
        code, out, err = cli(argv, capsys)
        assert_user_error(code, err, "govsim: error: ")
        assert "nosuch.toml" in err
        assert "does not exist" in err
        assert out == ""


def test_directory_instead_of_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(["validate", str(tmp_path)], capsys)
    assert_user_error(code, err, "is a directory")


def test_not_valid_toml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write_toml(tmp_path, 'name = "x"\n[world\nstart = 2025-01-01\n', name="broken.toml")
    code, out, err = cli(["validate", str(bad)], capsys)
    assert_user_error(code, err, "govsim: error: ")
    assert "broken.toml is not valid TOML" in err
    assert len(err.splitlines()) == 1
    assert out == ""


def test_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('name = "caf\u00e9"\n'.encode("latin-1"))
    code, _, err = cli(["validate", str(bad)], capsys)
    assert_user_error(code, err, "not valid TOML")


# ---------------------------------------------------------------------------
# bad flags
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["run", str(DISTRICT), "--replications", "0"], "--replications"),
        (["run", str(DISTRICT), "--replications", "x"], "--replications"),
        (["compare", str(DISTRICT), "-n", "-3"], "--replications"),
        (["run", str(DISTRICT), "--seed", "-1"], "--seed"),
        (["run", str(DISTRICT), "--seed", "1.5"], "--seed"),
        (["compare", str(DISTRICT), "--horizon-days", "0"], "--horizon-days"),
        (["compare", str(DISTRICT), "--jobs", "0"], "--jobs"),
        (["compare", str(DISTRICT), "--format", "xlsx"], "--format"),
    ],
    ids=["replications-0", "replications-x", "replications-neg", "seed-neg", "seed-float",
         "horizon-0", "jobs-0", "format"],
)
def test_bad_flag_values_refused_by_argparse(argv: list[str], flag: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert flag in err
    assert "Traceback" not in err
    assert out == ""


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["run", str(DISTRICT), "--regime", "nosuch"], "--regime"),
        (["compare", str(DISTRICT), "--regimes", "fragmented,nosuch"], "--regimes"),
        (["compare", str(DISTRICT), "--baseline", "nosuch"], "--baseline"),
        (["compare", str(DISTRICT), "--regimes", "fragmented,consolidated",
          "--baseline", "nosuch"], "--baseline"),
    ],
    ids=["regime", "regimes", "baseline", "baseline-with-regimes"],
)
def test_bad_regime_flags(argv: list[str], flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli([*argv, "--replications", "1", *SMALL], capsys)
    assert_user_error(code, err, f"govsim: error: {flag}: ")
    assert "nosuch" in err
    assert out == ""


def test_out_is_an_existing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "results"
    target.write_text("precious\n")
    code, out, err = cli(["compare", str(DISTRICT), "--replications", "1", *SMALL,
                          "--out", str(target)], capsys)
    assert_user_error(code, err, "govsim: error: --out: ")
    assert out == ""
    assert target.read_text() == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]


def test_missing_command_and_unknown_flag(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in ([], ["validate"], ["run", str(DISTRICT), "--nosuch-flag"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
        _, err = capsys.readouterr()
        assert "Traceback" not in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith("govsim ")


# ---------------------------------------------------------------------------
# --out: loses nothing already written
# ---------------------------------------------------------------------------

KEEP = "keep me\n"
OLD_SUMMARY = "regime,metric,mean\nold,stale,1.0\n"
TABLES = ["cases.csv", "events.csv", "units.csv", "ledger.csv", "lights.csv", "metrics.csv", "summary.csv",
          "differences.csv", "summary.json"]


def _prefilled(directory: Path) -> Path:
    directory.mkdir()
    (directory / "keep.txt").write_text(KEEP)
    (directory / "summary.csv").write_text(OLD_SUMMARY)
    return directory


ONE_REP = ["--replications", "1"]


@pytest.mark.parametrize(
    "argv",
    [
        ["run", str(DISTRICT), *ONE_REP, "--regime", "nosuch"],
        ["compare", str(DISTRICT), *ONE_REP, "--regimes", "fragmented,nosuch"],
        ["compare", str(DISTRICT), *ONE_REP, "--baseline", "nosuch"],
        ["compare", str(DISTRICT), *ONE_REP, "--horizon-days", "800"],
        ["compare", str(DISTRICT), "--replications", "0"],
        ["compare", str(DISTRICT.with_name("nosuch.toml")), *ONE_REP],
    ],
    ids=["regime", "regimes", "baseline", "horizon-2027", "replications-0", "missing-file"],
)
def test_user_error_leaves_out_dir_untouched(argv: list[str], tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = _prefilled(tmp_path / "out")
    before = snapshot(out_dir)
    code, _, err = cli([*argv, "--jobs", "1", "--out", str(out_dir), "--format", "csv"], capsys)
    assert code == 2, err
    assert "Traceback" not in err
    assert snapshot(out_dir) == before
    assert (out_dir / "keep.txt").read_text() == KEEP
    assert (out_dir / "summary.csv").read_text() == OLD_SUMMARY


@contextlib.contextmanager
def _umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A successful small compare written as CSV into a directory that already had files."""
    out_dir = _prefilled(tmp_path_factory.mktemp("written") / "out")
    stdout, stderr = io.StringIO(), io.StringIO()
    with _umask(0o022), contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        (out_dir / "fresh.txt").write_text("made under the same umask\n")
        code = main(["compare", str(DISTRICT), "--replications", "2", *SMALL, *PRESETS,
                     "--out", str(out_dir), "--format", "csv"])
    return {"dir": out_dir, "code": code, "out": stdout.getvalue(), "err": stderr.getvalue()}


def test_successful_run_writes_every_table(written: dict[str, Any]) -> None:
    out_dir: Path = written["dir"]
    assert written["code"] == 0, written["err"]
    assert f"tables written to {out_dir}/" in written["err"]
    names = {p.name for p in out_dir.iterdir()}
    assert set(TABLES) <= names
    assert names == {*TABLES, "keep.txt", "fresh.txt"}
    for name in TABLES:
        assert (out_dir / name).stat().st_size > 0, name


def test_successful_run_keeps_other_files_and_replaces_its_own(written: dict[str, Any]) -> None:
    out_dir: Path = written["dir"]
    assert (out_dir / "keep.txt").read_text() == KEEP
    summary = (out_dir / "summary.csv").read_text()
    assert summary != OLD_SUMMARY
    assert "stale" not in summary
    assert "fragmented" in summary and "consolidated" in summary


def test_successful_run_leaves_no_temporary_files(written: dict[str, Any]) -> None:
    out_dir: Path = written["dir"]
    assert [p.name for p in out_dir.iterdir() if p.name.startswith(".")] == []
    assert [p.name for p in out_dir.iterdir() if p.name.endswith(".tmp")] == []


def test_written_tables_are_consistent(written: dict[str, Any]) -> None:
    out_dir: Path = written["dir"]
    summary = json.loads((out_dir / "summary.json").read_text())
    assert set(summary["regimes"]) == {"fragmented", "consolidated"}
    assert summary["replications"] == 2
    assert summary["horizon_days"] == 10
    header = (out_dir / "cases.csv").read_text().splitlines()[0]
    assert "regime" in header.split(",")


def test_written_tables_follow_the_umask(written: dict[str, Any]) -> None:
    out_dir: Path = written["dir"]
    expected = stat.S_IMODE((out_dir / "fresh.txt").stat().st_mode)
    assert expected == 0o644
    modes = {name: stat.S_IMODE((out_dir / name).stat().st_mode) for name in TABLES}
    assert modes == dict.fromkeys(TABLES, expected)


# ---------------------------------------------------------------------------
# --json, determinism, --jobs
# ---------------------------------------------------------------------------


def _json_run(argv: list[str]) -> tuple[str, dict[str, Any]]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(argv)
    assert code == 0, stderr.getvalue()
    text = stdout.getvalue()
    return text, json.loads(text)


@pytest.fixture(scope="module")
def compare_json() -> tuple[str, dict[str, Any]]:
    return _json_run(json_args())


def test_compare_json_structure(compare_json: tuple[str, dict[str, Any]]) -> None:
    _, doc = compare_json
    assert doc["scenario"] == "district"
    assert doc["seed"] == 0
    assert doc["replications"] == 3
    assert doc["horizon_days"] == 10
    assert set(doc["regimes"]) == {"fragmented", "consolidated"}
    for regime in ("fragmented", "consolidated"):
        metrics = doc["regimes"][regime]
        for metric in HEADLINE:
            assert metric in metrics, (regime, metric)
            for key in ("mean", "ci_low", "ci_high"):
                assert key in metrics[metric], (regime, metric, key)
            m = metrics[metric]
            if m["mean"] is not None and m["ci_low"] is not None:
                assert m["ci_low"] <= m["mean"] <= m["ci_high"]
    assert doc["baseline"] == "fragmented"
    assert list(doc["differences"]) == ["consolidated - fragmented"]
    diff = doc["differences"]["consolidated - fragmented"]
    for metric in HEADLINE:
        assert {"mean", "ci_low", "ci_high"} <= set(diff[metric])
    # the paired difference of means is the difference of the regimes' means
    frag = doc["regimes"]["fragmented"]["resolved_share"]["mean"]
    cons = doc["regimes"]["consolidated"]["resolved_share"]["mean"]
    assert diff["resolved_share"]["mean"] == pytest.approx(cons - frag)


def test_compare_json_baseline_flag() -> None:
    _, doc = _json_run(["compare", str(DISTRICT), *TINY, *PRESETS, "--json",
                        "--baseline", "consolidated"])
    assert doc["baseline"] == "consolidated"
    assert list(doc["differences"]) == ["fragmented - consolidated"]


def test_same_seed_gives_identical_json(compare_json: tuple[str, dict[str, Any]]) -> None:
    text, _ = compare_json
    again, _ = _json_run(json_args())
    assert again == text


def test_jobs_1_and_jobs_2_give_identical_json(compare_json: tuple[str, dict[str, Any]]) -> None:
    text, _ = compare_json
    parallel, _ = _json_run(json_args(jobs=2))
    assert parallel == text


def test_different_seed_gives_different_json(compare_json: tuple[str, dict[str, Any]]) -> None:
    _, doc = compare_json
    _, other = _json_run(["compare", str(DISTRICT), *TINY, "--json", "--seed", "7"])
    assert other["seed"] == 7
    assert (other["regimes"]["fragmented"]["resolved_share"]["mean"]
            != doc["regimes"]["fragmented"]["resolved_share"]["mean"])


def test_run_json_has_one_regime(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(["run", str(DISTRICT), "--regime", "consolidated", "--replications",
                          "2", *SMALL, "--no-events", "--json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert list(doc["regimes"]) == ["consolidated"]
    assert "differences" not in doc


# ---------------------------------------------------------------------------
# end to end: the real console script in a subprocess
# ---------------------------------------------------------------------------


def _govsim_command() -> list[str]:
    script = Path(sys.executable).with_name("govsim")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "govsim.cli"]


def test_console_script_exit_status(tmp_path: Path) -> None:
    ok = subprocess.run([*_govsim_command(), "validate", str(DISTRICT)], capture_output=True,
                        text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "ok" in ok.stdout

    bad = write_toml(tmp_path, edited(('unit = "housing_bureau"\nweight = 1.0',
                                       'unit = "housing_burea"\nweight = 1.0')))
    proc = subprocess.run([*_govsim_command(), "validate", str(bad)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr == (
        "govsim: error: regimes.fragmented.channels[2].unit: unknown unit 'housing_burea'\n"
    )


def test_module_entry_point_exit_status() -> None:
    proc = subprocess.run([sys.executable, "-m", "govsim.cli", "run", str(DISTRICT),
                           "--replications", "0"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "--replications" in proc.stderr
    assert "Traceback" not in proc.stderr


# ---------------------------------------------------------------------------
# library parameter names → this command's flags (one place: cli._flag_names)
# ---------------------------------------------------------------------------


def test_a_value_from_an_experiment_file_keeps_its_key(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    exp = tmp_path / "e.toml"
    exp.write_text(f'scenario = "{DISTRICT.as_posix()}"\nreplications = 0\n')
    code, _, err = cli(["sweep", str(exp), "--out", str(tmp_path / "s")], capsys)
    assert_user_error(code, err, "govsim: error: replications: ")
    assert not (tmp_path / "s").exists()


def test_a_flag_the_user_gave_is_named_as_typed(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(["journey", str(DISTRICT), "--regime", "nosuch", "--horizon-days", "2"],
                       capsys)
    assert_user_error(code, err, "govsim: error: --regime: ")
    code, _, err = cli(["compare", str(tmp_path / "missing.toml")], capsys)
    assert_user_error(code, err, "govsim: error: SCENARIO: ")
    code, _, err = cli(["sweep", str(tmp_path / "missing.toml")], capsys)
    assert_user_error(code, err, "govsim: error: EXPERIMENT: ")


def test_a_default_flag_is_named_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    exp = tmp_path / "e.toml"
    exp.write_text(f'scenario = "{DISTRICT.as_posix()}"\nreplications = 1\nhorizon_days = 2\n')
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", str(exp), "--executor", "serial"]) == 0  # into results/e
    capsys.readouterr()
    code, _, err = cli(["sweep", str(exp), "--executor", "serial"], capsys)
    assert_user_error(code, err, "govsim: error: --out: ")


def test_a_key_in_a_scenario_file_is_not_taken_for_a_flag(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "s.toml"
    # a scenario with no regimes: the problem's key path is `regimes`, as the flag's name
    bad.write_text("regimes = {}\n" + DISTRICT_TEXT[:DISTRICT_TEXT.index("\n[regimes")])
    code, _, err = cli(["compare", str(bad), "--regimes", "fragmented,consolidated"], capsys)
    assert code == 2
    assert "govsim: error: regimes: " in err and "--regimes" not in err


# ---------------------------------------------------------------------------
# destinations tried before the work; failures that lose nothing
# ---------------------------------------------------------------------------


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc")
@pytest.mark.parametrize("argv", [
    ["compare", str(DISTRICT), "--out", "/proc/self/govsim-out"],
    ["run", str(DISTRICT), "--out", "/proc/self/govsim-out"],
    ["journey", str(DISTRICT), "--figure", "/proc/self/govsim/leak.png"],
], ids=["compare", "run", "journey"])
def test_an_unwritable_destination_is_refused_before_the_run(
        argv: list[str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import govsim
    import govsim.experiment

    def must_not_run(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the simulation ran before the destination was tried")

    for name in ("run", "compare"):
        monkeypatch.setattr(govsim, name, must_not_run)
    monkeypatch.setattr(govsim.experiment, "run_replication", must_not_run)
    code, out, err = cli([*argv, "--horizon-days", "2"], capsys)
    flag = "--figure" if "journey" in argv else "--out"
    assert_user_error(code, err, f"govsim: error: {flag}: cannot write into")


def test_a_figure_into_a_missing_directory_is_written(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    figure = tmp_path / "new" / "dir" / "leak.svg"
    code, _, err = cli(["journey", str(ROOT / "scenarios" / "shanghai_leak.toml"), "--seed", "0",
                        "--replication", "1", "--figure", str(figure)], capsys)
    assert code == 0, err
    assert figure.read_text().startswith("<?xml")


def test_a_disk_that_fills_after_the_run_saves_the_results_elsewhere(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import errno

    import govsim.cli.simulate

    out = tmp_path / "out"
    real = govsim.cli.simulate.frame_writer
    calls = {"units": 0}

    def writer(frame: Any, fmt: str = "parquet") -> Any:
        write = real(frame, fmt)
        if "utilisation" not in frame.columns:
            return write

        def fills_the_first_time(fh: Any) -> None:  # the units table: half written, then full
            calls["units"] += 1
            fh.write(b"PAR1")
            if calls["units"] == 1:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            fh.seek(0)
            write(fh)
        return fills_the_first_time

    monkeypatch.setattr(govsim.cli.simulate, "frame_writer", writer)
    code, _, err = cli(["compare", str(DISTRICT), *TINY, "--out", str(out)], capsys)
    assert_user_error(code, err, "govsim: error: --out: writing units.parquet")
    assert "complete there: cases.parquet, events.parquet" in err
    saved = Path(err.split("written to ")[1].split(" instead")[0])
    assert {"cases.parquet", "units.parquet", "summary.json"} <= {p.name for p in saved.iterdir()}
    assert not list(out.glob(".*.tmp"))


def test_a_run_over_the_memory_budget_names_the_flag(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(["compare", str(DISTRICT), "-n", "2", "--memory-budget", "0.01"], capsys)
    assert_user_error(code, err, "govsim: error: --memory-budget: scenario 'district' is "
                      "expected to bring about")


@pytest.mark.parametrize("argv", [["compare", "district", "--bogus"],
                                  ["compare", "district", "--regimes"],
                                  ["compare", "district", "--replications", "0"],
                                  ["report", "district", "--lang", "fr"],
                                  ["nonesuch", "district"]])
def test_a_bad_flag_is_refused_in_one_line(argv, capsys) -> None:
    code, out, err = cli(argv, capsys)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "usage:" not in err, err
    assert err.startswith("govsim") and "error:" in err and "--help lists the flags" in err


@pytest.mark.parametrize("argv", [[], ["compare"]])
def test_a_bare_command_shows_its_usage(argv, capsys) -> None:
    code, _, err = cli(argv, capsys)
    assert code == 2 and err.startswith("usage: govsim") and "required" in err
