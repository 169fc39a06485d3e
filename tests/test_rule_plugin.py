"""A rule group from outside the package: declared in a module of its own, installed under the
``govsim.rules`` entry point, and run.

The rule here is the one the case study's street office lacked: the power to summon the
department that owns a problem. After an ordinary attempt fails, the street office spends
``summons_hours`` calling the owner in, and the owner then acts as if compelled. Everything
about the rule lives in the plug-in's one file: its keys, its per-case counter, its activity,
its metric, its Chinese names and its behaviour. The test installs it the way pip would (a
``.dist-info`` folder with ``entry_points.txt`` on the path) and runs govsim in a fresh process,
so nothing of govsim's own is edited or monkeypatched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PLUGIN = '''
"""Summons: the street office calls the owning department in after a failed attempt."""
from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from govsim.scenario.rules import Activity, CaseColumn, Metric, RuleGroup


def behaviour(model):
    from govsim.model.log import activity_code  # the model, once the groups are gathered
    from govsim.model.state import FAILED

    rules = model.rules
    if rules.summons == "off":
        return None
    street = next(u for u in model.units if u.kind == "street_office")
    code = activity_code("summon")
    hours = rules.summons_hours

    def act(c, cat, outcome):
        if outcome != FAILED or not cat.owners:
            return outcome
        model.summoned[c] += 1
        model.log.event(c, code, model.env.now, street.index)
        yield from model.work(street, c, hours, 1.0)
        owner = model.record_owner(cat, c)
        model.open_ticket(c, owner)
        return (yield from model.owner_acts(c, owner, cat, compelled=True))

    return act


GROUP = RuleGroup(
    name="summons",
    label_zh="街道召集权",
    keys={"summons": (Literal["off", "on"], "off"),
          "summons_hours": (Annotated[float, Field(ge=0.0, le=100.0)], 1.0)},
    columns=(CaseColumn("summoned", "i", 0, "summons", table="summons"),),
    activities=(Activity("summon", "街道召集"),),
    metrics=(Metric("summons_per_case", "summons", "times the street office summoned the owner",
                    lambda cases: float(np.mean(cases["summons"])) if len(cases) else float("nan"),
                    label_zh="每案召集次数"),),
    behaviour=behaviour,
)
'''

RUN = '''
import json, sys
import govsim
from govsim.scenario import RULES, load_scenario, parse_scenario, scenario_data
from govsim.lang import activity_name, metric_name
from govsim.scenario.rules import rule_name

s = load_scenario("district")
data = scenario_data(s)
data["regimes"] = {"fragmented": data["regimes"]["fragmented"],
                   "summoning": {**data["regimes"]["fragmented"], "summons": "on",
                                 "label": "fragmented, with summons",
                                 "label_zh": "多头热线加街道召集权"}}
s = parse_scenario(data)
cmp = govsim.compare(s, replications=3, seed=5, horizon_days=60, jobs=JOBS,
                     executor=EXECUTOR)
dec = govsim.decompose(s, "fragmented", "summoning", replications=3, seed=5, horizon_days=60,
                       jobs=1)
m = cmp.metrics.groupby("regime", observed=True)["summons_per_case"].mean()
print(json.dumps({
    "rules": list(RULES),
    "columns": list(cmp.cases.columns),
    "metric": {k: float(v) for k, v in m.items()},
    "summon_events": int((cmp.events["concept:name"] == "summon").sum()),
    "summon_events_fragmented": int(((cmp.events["concept:name"] == "summon")
                                     & (cmp.events["regime"] == "fragmented")).sum()),
    "case_counts": int(cmp.cases.loc[cmp.cases["regime"] == "summoning", "summons"].sum()),
    "differing": list(dec.rules),
    "diff_rows": cmp.differences(["summons_per_case"]).to_dict("records"),
    "zh": [rule_name("summons", "zh"), activity_name("summon", "zh"),
           metric_name("summons_per_case", "zh")],
    "in_table": "summons_per_case" in cmp.table(lang="keys"),
}, default=str))
'''


def _install(root: Path, module: str = PLUGIN, value: str = "summons_rule:GROUP") -> dict[str, str]:
    """The plug-in as pip would leave it: its module, and its distribution's metadata with the
    entry point, on a folder of the path."""
    (root / "summons_rule.py").write_text(textwrap.dedent(module), encoding="utf-8")
    info = root / "summons_rule-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: summons-rule\nVersion: 0.1\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[govsim.rules]\nsummons = {value}\n",
                                           encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(root), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def _run(code: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=600)


@pytest.mark.parametrize("jobs, executor, named", [(1, "serial", False), (2, "local", True)])
def test_a_rule_from_outside_the_package_runs_end_to_end(tmp_path: Path, jobs: int,
                                                         executor: str, named: bool) -> None:
    # the behaviour given as the function itself, or named "module:function" (imported when a
    # run starts, in each worker process too)
    plugin = PLUGIN.replace("behaviour=behaviour,", 'behaviour="summons_rule:behaviour",') \
        if named else PLUGIN
    env = _install(tmp_path, plugin)
    proc = _run(RUN.replace("JOBS", str(jobs)).replace("EXECUTOR", repr(executor)), env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    # its keys are a rule group of their own, after govsim's twelve
    assert out["rules"][-1] == "summons" and len(out["rules"]) == 13
    # its per-case counter is a column of the cases table, its metric a metric
    assert "summons" in out["columns"]
    assert out["metric"]["fragmented"] == 0.0 and out["metric"]["summoning"] > 0.0
    assert out["summon_events"] == out["case_counts"] > 0
    assert out["summon_events_fragmented"] == 0
    # a decomposition finds the one rule that differs; the paired difference has an interval
    assert out["differing"] == ["summons"]
    (row,) = out["diff_rows"]
    assert row["regime"] == "summoning" and row["mean_diff"] > 0
    assert row["ci_low"] <= row["mean_diff"] <= row["ci_high"]
    assert out["zh"] == ["街道召集权", "街道召集", "每案召集次数"]
    assert out["in_table"]  # its metric is among the headline ones every table shows


def test_the_plugin_module_can_be_imported_before_govsim(tmp_path: Path) -> None:
    # a plug-in's own tests, or a notebook, start by importing it
    env = _install(tmp_path)
    proc = _run("import summons_rule\nimport govsim\nfrom govsim.scenario import RULES\n"
                "print(list(RULES)[-1], summons_rule.GROUP.name)\n", env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["summons", "summons"]


def test_a_plugin_that_imports_the_model_at_its_top_is_told_how_to_fix_it(
        tmp_path: Path) -> None:
    env = _install(tmp_path, "from govsim.model.state import FAILED\n" + PLUGIN)
    proc = _run("import govsim.scenario\ngovsim.scenario.RULES", env, tmp_path)
    assert proc.returncode != 0
    assert "import the rest inside its behaviour" in proc.stderr


def test_plugins_can_be_left_out(tmp_path: Path) -> None:
    env = _install(tmp_path, "raise RuntimeError('broken on purpose')\n")
    env["GOVSIM_NO_RULE_PLUGINS"] = "1"
    proc = _run("from govsim.scenario import RULES\nprint(len(RULES))", env, tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip() == "12", proc.stderr


def test_a_regime_from_a_process_with_the_plugin_is_refused_where_it_is_missing(
        tmp_path: Path) -> None:
    env = _install(tmp_path)
    made = tmp_path / "scenario.pickle"
    code = ("import pickle, govsim\nfrom govsim.scenario import parse_scenario, scenario_data\n"
            "data = scenario_data(govsim.load_scenario('district'))\n"
            "data['regimes']['fragmented'] = {**data['regimes']['fragmented'], 'summons': 'on'}\n"
            f"pickle.dump(parse_scenario(data), open({str(made)!r}, 'wb'))\n")
    assert _run(code, env, tmp_path).returncode == 0
    env["GOVSIM_NO_RULE_PLUGINS"] = "1"
    proc = _run("import pickle, govsim\n"
                f"s = pickle.load(open({str(made)!r}, 'rb'))\n"
                "govsim.run(s, 'fragmented', replications=1, horizon_days=5, jobs=1)\n",
                env, tmp_path)
    assert proc.returncode != 0
    assert "sets summons, summons_hours, which no rule group of this process declares" \
        in proc.stderr


def test_a_key_without_default_that_a_preset_leaves_unset_is_refused(tmp_path: Path) -> None:
    env = _install(tmp_path, PLUGIN.replace('"summons": (Literal["off", "on"], "off")',
                                            '"summons": (Literal["off", "on"], ...)'))
    proc = _run("import govsim.scenario\ngovsim.scenario.RULES", env, tmp_path)
    assert proc.returncode != 0
    assert "key 'summons' has no default and preset 'fragmented' does not set it" in proc.stderr


def test_without_the_plugin_its_key_is_refused(tmp_path: Path) -> None:
    import govsim
    from govsim.scenario import RULES

    if "summons" in RULES:  # pragma: no cover - someone installed such a plug-in here
        pytest.skip("a 'summons' rule group is installed in this environment")
    from govsim.errors import GovsimError
    from govsim.scenario import parse_scenario, scenario_data

    data = scenario_data(govsim.load_scenario("district"))
    data["regimes"]["fragmented"] = {**data["regimes"]["fragmented"], "summons": "on"}
    with pytest.raises(GovsimError) as err:
        parse_scenario(data)
    assert "regimes.fragmented.summons" in str(err.value)


def test_a_plugin_that_cannot_load_is_named(tmp_path: Path) -> None:
    env = _install(tmp_path, "raise RuntimeError('broken on purpose')\n")
    proc = _run("from govsim.scenario import RULES", env, tmp_path)
    assert proc.returncode != 0
    assert "rule plug-in 'summons' (summons_rule:GROUP) could not be loaded" in proc.stderr
    assert "broken on purpose" in proc.stderr


def test_the_command_says_a_broken_plugin_in_one_line_and_exits_2(tmp_path: Path) -> None:
    env = _install(tmp_path, "raise RuntimeError('broken on purpose')\n")
    proc = subprocess.run([sys.executable, "-m", "govsim.cli", "validate", "district"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert proc.returncode == 2
    assert proc.stderr.startswith("govsim: error: govsim.rules: the rule plug-in 'summons'")
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1


def test_a_plugin_that_claims_a_key_of_govsim_is_refused(tmp_path: Path) -> None:
    clash = PLUGIN.replace('keys={"summons": (Literal["off", "on"], "off"),',
                           'keys={"routing": (Literal["off", "on"], "off"),')
    env = _install(tmp_path, clash)
    proc = _run("from govsim.scenario import RULES", env, tmp_path)
    assert proc.returncode != 0
    assert "key 'routing' belongs to rule group 'routing' already" in proc.stderr
