"""Every file govsim reads is checked for kind, size and nesting before it is read, and every
count a user gives is bounded (issue 19, probes 1, 2, 6, 8 and 10): each probe that once ended
in a traceback, a raw exception or an unbounded allocation, and its answer now -- one sentence
naming the file, argument or flag, exit status 2 from the command line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import govsim
from govsim.errors import GovsimError
from govsim.experiment import checks
from govsim.experiment.decomposition_plan import MAX_EXACT_VARIANTS, MAX_ORDERS, plan
from govsim.inputs import MAX_DEPTH, check_input_file, read_toml
from govsim.scenario import load_scenario, parse_scenario
from tests._factory import fragmented, world_dict
from tests.test_cli import assert_user_error, cli

DEEP = "x = " + "[" * 5000 + "]" * 5000 + "\n"
FUZZ = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])


def _device() -> str:
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    return "/dev/zero"


# -- probe 1: files of the wrong kind, too large, nested too deeply --------------------------


@pytest.mark.parametrize("command", [["validate"], ["compare"], ["calibrate", "@targets"],
                                     ["sweep"]])
def test_a_device_a_directory_and_a_deep_file_are_refused_by_every_reader(
        command: list[str], capsys, tmp_path: Path) -> None:
    deep = tmp_path / "deep.toml"
    deep.write_text(DEEP, encoding="utf-8")
    for bad, says in ((_device(), "is a device"), (str(tmp_path), "is a directory"),
                      (str(deep), f"more than {MAX_DEPTH} deep")):
        if command[0] == "calibrate":  # the targets file is the bad one
            argv = ["calibrate", bad, "--scenario", "shanghai_leak", "--regime", "fragmented",
                    "--params", "world.citizens.give_up_prob=0:1"]
        else:
            argv = [*command, bad]
        code, _, err = cli(argv, capsys)
        assert_user_error(code, err, says)
        assert "MemoryError" not in err and "Recursion" not in err


def test_the_python_readers_refuse_the_same_files(tmp_path: Path) -> None:
    from govsim.experiment.config import Experiment
    from govsim.measure.targets import load_targets

    for read, where in ((load_scenario, "scenario"), (load_targets, "targets"),
                        (Experiment.from_toml, "experiment")):
        for bad in (_device(), tmp_path, tmp_path / "missing.toml", 5, None):
            with pytest.raises(GovsimError) as err:
                read(bad)
            assert err.value.path == where, (read, bad)


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    big.write_bytes(b"# " + b"x" * 2000 + b"\n")
    with pytest.raises(GovsimError, match="at most 1,000 bytes") as err:
        check_input_file(big, "targets file", "targets", 1000)
    assert err.value.path == "targets"
    assert check_input_file(big, "targets file", "targets", 10_000) == big


def test_a_long_name_and_a_nul_byte_are_sentences(tmp_path: Path) -> None:
    for bad in (tmp_path / ("n" * 300 + ".toml"), "a\0b.toml"):
        with pytest.raises(GovsimError, match="cannot read|does not exist") as err:
            read_toml(bad, "scenario file", "scenario")
        assert err.value.path == "scenario"


def test_dotted_keys_nested_too_deeply_are_refused(tmp_path: Path) -> None:
    p = tmp_path / "dotted.toml"
    p.write_text(".".join(["k"] * (MAX_DEPTH + 5)) + " = 1\n", encoding="utf-8")
    with pytest.raises(GovsimError, match="nest more than"):
        read_toml(p, "scenario file", "scenario")


@FUZZ
@given(st.binary(max_size=400))
def test_any_bytes_are_a_table_or_a_sentence(blob: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        p = Path(folder) / "f.toml"
        p.write_bytes(blob)
        try:
            data = read_toml(p, "scenario file", "scenario")
        except GovsimError as exc:
            assert exc.path == "scenario" and exc.message
        else:
            assert isinstance(data, dict)


@FUZZ
@given(st.lists(st.sampled_from(["[", "]", "{", "}", "'", '"', "#", "\n", "a", "=", " ", ","]),
                max_size=200))
def test_brackets_strings_and_comments_never_reach_the_parser_too_deep(chars: list[str]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        p = Path(folder) / "f.toml"
        p.write_text("x = " + "".join(chars) * 3, encoding="utf-8")
        try:
            read_toml(p, "targets file", "targets")
        except GovsimError as exc:
            assert exc.path == "targets"


# -- probe 6: long `like` chains in any file order --------------------------------------------


@pytest.mark.parametrize("reverse", [False, True])
def test_a_thousand_regimes_like_each_other_resolve_in_either_order(reverse: bool) -> None:
    n = 1000
    names = [f"r{i:04d}" for i in range(n)]
    regimes: dict[str, Any] = {names[0]: fragmented()}
    regimes.update({names[i]: {"like": names[i - 1]} for i in range(1, n)})
    if reverse:
        regimes = dict(reversed(list(regimes.items())))
    s = parse_scenario({"name": "chain", "world": world_dict(), "regimes": regimes})
    assert len(s.regimes) == n and s.regimes[names[-1]] == s.regimes[names[0]]


def test_a_circle_deep_in_a_chain_is_named() -> None:
    regimes = {"a": {"like": "b"}, "b": {"like": "c"}, "c": {"like": "b"}}
    with pytest.raises(GovsimError, match="circle: b -> c -> b|circle: c -> b -> c") as err:
        parse_scenario({"name": "chain", "world": world_dict(), "regimes": regimes})
    assert err.value.path in ("regimes.b.like", "regimes.c.like")


# -- probe 2: every count is bounded; work too large is refused before anything is made -------


def test_orders_beyond_the_bound_are_refused_at_once(capsys, tmp_path: Path) -> None:
    out = tmp_path / "dec"
    code, _, err = cli(["decompose", "district", "--from", "fragmented", "--to", "consolidated",
                        "--orders", "2000000000", "-n", "2", "--horizon-days", "3",
                        "--out", str(out)], capsys)
    assert_user_error(code, err, "--orders")
    assert f"{MAX_ORDERS:,}" in err and not out.exists()
    with pytest.raises(GovsimError) as e:
        govsim.decompose("district", "fragmented", "consolidated", orders=2_000_000_000,
                         horizon_days=3, replications=2)
    assert e.value.path == "orders"


def test_an_exact_decomposition_of_too_many_rules_says_how_many_variants(monkeypatch) -> None:
    from govsim.experiment import decomposition_plan
    from tests._factory import consolidated

    s = load_scenario("district")
    k = len(plan(s, "fragmented", "consolidated", replications=2, horizon_days=3).rules)
    assert 2**k <= MAX_EXACT_VARIANTS  # the district itself may run exactly
    # with the bound lowered below 2**k, the same pair is refused before anything is built
    monkeypatch.setattr(decomposition_plan, "MAX_EXACT_VARIANTS", 4)
    many = parse_scenario({"name": "many", "world": world_dict(),
                           "regimes": {"a": fragmented(), "b": consolidated()}})
    with pytest.raises(GovsimError, match=r"variants per replication") as e:
        plan(many, "a", "b", replications=2, exact=True)
    assert e.value.path == "exact" and "over the 4 an exact" in e.value.message
    assert plan(many, "a", "b", replications=2, exact=False, orders=2).orders == 2


def test_replications_are_bounded_everywhere(capsys) -> None:
    too_many = checks.MAX_REPLICATIONS + 1
    for study in (lambda: govsim.compare("district", replications=too_many, horizon_days=3),
                  lambda: govsim.decompose("district", "fragmented", "consolidated",
                                           replications=too_many, horizon_days=3)):
        with pytest.raises(GovsimError, match="from 2 to|from 1 to") as e:
            study()
        assert e.value.path == "replications"
    code, _, err = cli(["decompose", "district", "--from", "fragmented", "--to",
                        "consolidated", "-n", str(too_many), "--horizon-days", "3"], capsys)
    assert_user_error(code, err, "--replications")


def test_work_past_a_week_of_one_core_is_refused_with_its_size(capsys) -> None:
    s = load_scenario("district")
    with pytest.raises(GovsimError, match="core-hours") as e:
        checks.check_work(s, 10**7, "replications")
    assert e.value.path == "replications" and "cases" in e.value.message
    assert checks.check_work(s, 2, "replications") < 1
    code, _, err = cli(["decompose", "district", "--from", "fragmented", "--to",
                        "consolidated", "-n", "90000"], capsys)
    assert_user_error(code, err, "core-hours")


# -- probes 8 and 10: arguments of the Python API ---------------------------------------------


@pytest.mark.parametrize("metrics", [[["cases"]], [5], [], "cases", [None]])
def test_metrics_that_are_not_names_are_refused(metrics: Any) -> None:
    with pytest.raises(GovsimError) as e:
        govsim.decompose("district", "fragmented", "consolidated", metrics=metrics,
                         replications=2, horizon_days=3)
    assert e.value.path == "metrics"
    with pytest.raises(GovsimError) as e:
        checks.metric_names(metrics)
    assert e.value.path == "metrics"


@pytest.mark.parametrize(("together", "says"), [
    ([["routing", "routing"]], "named twice in one group"),
    ([["routing", "intake"], ["intake", "case_record"]], "named in two groups"),
    ([[["routing"], "intake"]], "is not a rule"),
])
def test_together_names_each_rule_once(together: Any, says: str) -> None:
    with pytest.raises(GovsimError, match=says) as e:
        plan("district", "fragmented", "consolidated", replications=2, horizon_days=3,
             together=together)
    assert e.value.path == "together"


# -- found in review: writers never replace what is not a file; a deep value is still a sentence


@pytest.mark.parametrize("kind", ["device", "pipe", "link"])
def test_a_writer_never_replaces_a_device_a_pipe_or_a_link(kind: str, tmp_path: Path) -> None:
    from govsim.atomic import check_file, save_file

    if kind == "device":
        target = Path(_device())
    elif kind == "pipe":
        target = tmp_path / "fifo"
        os.mkfifo(target)
    else:
        (tmp_path / "real.html").write_text("mine", encoding="utf-8")
        target = tmp_path / "link.html"
        target.symlink_to(tmp_path / "real.html")
    before = os.lstat(target)
    for call in (lambda: check_file(target, "out"),
                 lambda: save_file(target, lambda fh: fh.write(b"x"), "out")):
        with pytest.raises(GovsimError, match="not a file govsim may replace") as e:
            call()
        assert e.value.path == "out"
    after = os.lstat(target)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)


def test_report_out_dev_null_is_refused_before_the_runs(capsys, monkeypatch) -> None:
    import govsim.experiment.report_study as hr

    def boom(*a: Any, **k: Any) -> None:
        raise AssertionError("the runs started")

    monkeypatch.setattr(hr, "compare", boom, raising=False)
    code, _, err = cli(["report", "district", "-n", "2", "--horizon-days", "3",
                        "--out", _device()], capsys)
    assert_user_error(code, err, "--out")
    assert "device" in err and os.path.exists("/dev/null")


@pytest.mark.parametrize("command", ["decompose", "calibrate"])
def test_a_failed_run_leaves_no_out_folder(command: str, capsys, tmp_path: Path,
                                           monkeypatch) -> None:
    out = tmp_path / "made" / "here"
    if command == "decompose":
        import govsim.experiment.decomposition as dec

        monkeypatch.setattr(dec, "run_all", _interrupt)
        argv = ["decompose", "district", "--from", "fragmented", "--to", "consolidated",
                "-n", "2", "--horizon-days", "3", "--out", str(out)]
    else:
        import govsim.calibration.evaluate as cal

        monkeypatch.setattr(cal, "run_all", _interrupt)
        argv = ["calibrate", "calibration/targets.toml", "--scenario", "shanghai_leak",
                "--regime", "fragmented", "--params", "world.citizens.give_up_prob=0.01:0.2",
                "--budget", "2", "-n", "1", "--out", str(out)]
    code, _, err = cli(argv, capsys)
    # the run started (every check passed, the folder was made) and was interrupted
    assert code != 0 and "interrupted" in err, err
    assert not (tmp_path / "made").exists()


def _interrupt(*args: Any, **kwargs: Any) -> Any:
    raise KeyboardInterrupt


def test_an_empty_path_is_said_to_be_empty(capsys) -> None:
    code, _, err = cli(["validate", ""], capsys)
    assert_user_error(code, err, "empty")


def test_a_figure_name_too_long_is_refused_before_the_run(capsys, tmp_path: Path,
                                                          monkeypatch) -> None:
    import govsim.experiment as ge

    monkeypatch.setattr(ge, "run_replication", _interrupt)
    code, _, err = cli(["journey", "shanghai_leak", "--figure",
                        str(tmp_path / ("f" * 300 + ".png"))], capsys)
    assert_user_error(code, err, "--figure")


def test_a_value_nested_too_deeply_to_print_is_still_one_sentence() -> None:
    deep: Any = []
    for _ in range(200_000):
        deep = [deep]
    with pytest.raises(GovsimError) as e:
        govsim.compare("district", replications=deep, horizon_days=3)
    assert e.value.path == "replications" and len(e.value.message) < 200
    with pytest.raises(GovsimError) as e:
        checks.metric_names([deep])
    assert e.value.path == "metrics"


def test_numpy_integers_are_whole_numbers() -> None:
    import numpy as np

    assert checks.whole(np.int64(3), 1, "replications") == 3
    assert type(checks.whole(np.int64(3), 1, "replications")) is int
    with pytest.raises(GovsimError):
        checks.whole(np.float64(3.0), 1, "replications")
