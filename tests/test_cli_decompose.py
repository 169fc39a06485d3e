"""`govsim decompose` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli import assert_user_error, cli

LEAK = "scenarios/shanghai_leak.toml"


def test_decompose_prints_the_table_and_writes_its_files(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "dec"
    code, text, err = cli(["decompose", LEAK, "--from", "fragmented", "--to", "consolidated",
                           "-n", "2", "--orders", "2", "-j", "1", "--horizon-days", "400",
                           "--metrics", "contacts_per_case", "--out", str(out), "--lang", "keys"],
                          capsys)
    assert code == 0, err
    assert "total = consolidated - fragmented" in text and "funding" in text
    assert "Group routing&non_owner" in text
    assert any(line.split()[:2] == ["routing", "routing&non_owner"] for line in text.splitlines())
    names = sorted(p.name for p in out.iterdir())
    assert names == ["contributions.csv", "decomposition.json", "totals.csv", "variants.csv",
                     "waterfall-contacts_per_case.png"]
    payload = json.loads((out / "decomposition.json").read_text())
    assert payload["rules"] and payload["orders"] == 2


def test_decompose_json_is_the_same_bytes_for_the_same_seed(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["decompose", LEAK, "--from", "fragmented", "--to", "consolidated", "-n", "2",
            "--orders", "2", "-j", "1", "--horizon-days", "200", "--json"]
    first = cli(args, capsys)
    second = cli(args, capsys)
    assert first[0] == 0 and first[1] == second[1]
    assert json.loads(first[1])["from"] == "fragmented"


@pytest.mark.parametrize(("extra", "where"), [
    (["--from", "nope", "--to", "consolidated"], "--from"),
    (["--from", "fragmented", "--to", "nope"], "--to"),
    (["--from", "fragmented", "--to", "consolidated", "--metrics", "nope"], "--metrics"),
    (["--from", "fragmented", "--to", "consolidated", "--orders", "3"], "--orders"),
    (["--from", "fragmented", "--to", "consolidated", "-n", "1"], "--replications"),
])
def test_decompose_refuses_bad_flags(extra: list[str], where: str, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "untouched"
    code, _, err = cli(["decompose", LEAK, *extra, "--out", str(out)], capsys)
    assert_user_error(code, err, where)
    assert "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("extra", [
    ["--from", "fragmented", "--to", "fragmented"],
    ["--from", "fragmented", "--to", "consolidated", "--metrics", ","],
    ["--from", "fragmented", "--to", "consolidated", "--memory-budget", "0.001"],
])
def test_a_refusal_found_by_the_library_touches_no_directory(
        extra: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "untouched"
    code, _, err = cli(["decompose", "scenarios/district.toml", *extra, "--out", str(out)], capsys)
    assert code == 2, err
    assert not out.exists()


def test_together_groups_rules_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, text, err = cli(["decompose", LEAK, "--from", "fragmented", "--to", "consolidated",
                           "-n", "2", "--orders", "2", "-j", "1", "--horizon-days", "200",
                           "--together", "intake,case_record", "--json"], capsys)
    assert code == 0, err
    payload = json.loads(text)
    groups = {g["group"]: g for g in payload["groups"]}
    assert groups["intake&case_record"]["why"] == ["named together"]
    # the dependent rules are grouped without being asked, and say why
    assert groups["routing&non_owner"]["orders"] == [["routing", "non_owner"]]
    assert "needs routing = 'triage'" in groups["routing&non_owner"]["why"][0]
    assert payload["attribution"] == "owen" and "intake" in payload["rules"]
    code, _, err = cli(["decompose", LEAK, "--from", "fragmented", "--to", "consolidated",
                        "--together", "routing,nope"], capsys)
    assert_user_error(code, err, "--together")
