"""``govsim classroom``: the controls and what they change, the server's answers and refusals,
and the page driven in headless Chromium (switch a rule, see the numbers change).

Regenerate the README's screenshot with
``GOVSIM_CLASSROOM_SCREENSHOT=docs/figures/classroom.png pytest tests/test_classroom.py -k chromium``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import govsim
from govsim.classroom import changes_from, controls_for
from govsim.classroom.lesson import lesson, run_size
from govsim.classroom.server import Classroom
from govsim.cli import main
from govsim.errors import GovsimError
from govsim.scenario.edit import get_path, scenario_data, with_values

LEAK = govsim.load_scenario("shanghai_leak")
DISTRICT = govsim.load_scenario("district")
FUND = "fund_open.maintenance_fund"


# ------------------------------------------------------------------------------- controls
def test_a_regime_gets_the_rules_its_settings_make_meaningful() -> None:
    one = {c.name: c for c in controls_for(DISTRICT, "consolidated")}
    many = {c.name: c for c in controls_for(DISTRICT, "fragmented")}
    # the database and the dispatch accuracy only where a centre triages; lost referrals only
    # where non-owners pass cases on
    assert {"kb_coverage", "accuracy", "adjudication"} <= set(one) and "referral_lost" not in one
    assert {"referral_lost", "advance_repaid"} <= set(many) and "kb_coverage" not in many
    assert one["adjudication"].written is True and many["adjudication"].written is False
    assert one["kb_coverage"].written == 0.6 and one["accuracy"].written == 0.92
    # the world's fund, and the labelled assumptions within their bounds
    assert one[FUND].written is False and one[FUND].group == "world"
    patience = one["assume.world.citizens.patience_days"]
    assert (patience.low, patience.high, patience.written) == (2.0, 10.0, 5.0)
    # the shared false-closure assumption gives the rule's slider its bounds, once
    assert (one["false_resolved"].low, one["false_resolved"].high) == (0.1, 0.5)
    assert not [n for n in one if n.startswith("assume.regimes.")]


def test_labels_come_in_english_and_chinese() -> None:
    en = [c.label for c in controls_for(LEAK, "fragmented", "en")]
    zh = [c.label for c in controls_for(LEAK, "fragmented", "zh")]
    assert len(en) == len(zh) and all(a != b for a, b in zip(en, zh, strict=True))
    assert any("维修基金" in z for z in zh) and all(ord(max(e)) < 0x3000 for e in en)
    with pytest.raises(GovsimError, match="lang"):
        controls_for(LEAK, "fragmented", "keys")


@pytest.mark.parametrize("regime", list(DISTRICT.regimes))
def test_every_position_of_every_control_makes_a_valid_scenario(regime) -> None:
    controls = controls_for(DISTRICT, regime)
    for c in controls:
        ends = [not c.written] if c.kind == "switch" else [c.low, c.high]
        for end in ends:
            changed = with_values(DISTRICT, changes_from(controls, {c.name: end}))
            assert get_path(scenario_data(changed), c.key) == (
                (c.on if end else c.off) if c.kind == "switch" else end)


def test_changes_from_the_positions() -> None:
    controls = controls_for(DISTRICT, "consolidated")
    written = {c.name: c.written for c in controls}
    assert changes_from(controls, written) == {}  # as written: nothing changes
    assert changes_from(controls, {"accuracy": 0.7, "adjudication": False, FUND: True}) == {
        "regimes.consolidated.accuracy": 0.7, "regimes.consolidated.overlap": "deflect",
        "world.funds.maintenance_fund.available": True}
    # a switch that sets two keys: the fund released as soon as an owner holds the ticket
    assert changes_from(controls, {"fund_released": True}) == {
        "regimes.consolidated.funding.mode": "release",
        "regimes.consolidated.funding.when": "ticket"}
    for values, where in [({"accuracy": 1.5}, "values.accuracy"),
                          ({"accuracy": True}, "values.accuracy"),
                          ({"adjudication": 1}, "values.adjudication"),
                          ({"nonsense": 1}, "values.nonsense")]:
        with pytest.raises(GovsimError) as err:
            changes_from(controls, values)
        assert err.value.path == where
    with pytest.raises(GovsimError, match="mapping"):
        changes_from(controls, [("accuracy", 0.7)])


def test_a_scenario_without_funds_or_assumptions_gets_its_rules_only() -> None:
    shishi = govsim.load_scenario("shishi_12345")
    controls = controls_for(shishi, "consolidated")
    assert controls and {c.group for c in controls} == {"rules"}


# ------------------------------------------------------------------------------- run size
def test_run_size_answers_in_seconds() -> None:
    assert run_size(LEAK) == (20, LEAK.world.horizon_days)  # one household: the whole story
    reps, days = run_size(DISTRICT)  # 415 problems a day: fewer replications of fewer days
    assert reps == 3 and 30 <= days < DISTRICT.world.horizon_days
    assert run_size(DISTRICT, 5, 60) == (5, 60)
    assert run_size(DISTRICT, budget=10**9) == (20, 365)


# ------------------------------------------------------------------------------- results
def test_opening_the_fund_ends_the_street_offices_advance() -> None:
    import matplotlib.pyplot as plt

    open_figures = len(plt.get_fignums())
    out = lesson(LEAK, "fragmented", {FUND: True}, replications=3)
    assert len(plt.get_fignums()) == open_figures  # a server's runs leave no pyplot figure
    assert out["changes"] == {"world.funds.maintenance_fund.available": True}
    rows = {r["metric"]: r for r in out["table"]}
    burden = rows["street_office_burden_yuan"]
    # the written run advances some 90,000 yuan; with the fund open nobody needs to
    assert burden["written"]["mean"] > 50_000 > burden["changed"]["mean"]
    assert burden["difference"]["mean"] < 0
    assert all(f.startswith("data:image/png;base64,") for f in out["figures"].values())
    journey = out["journey"]
    assert journey["case"] == 0 and set(journey["runs"]) == {"as_written", "changed"}
    assert journey["runs"]["changed"]["facts"] != journey["runs"]["as_written"]["facts"]
    json.dumps(out, allow_nan=False)  # plain JSON: no NaN reaches the page
    resolved = rows["resolved_share"]["difference"]  # a difference of shares: points
    assert resolved["text"].endswith(" pp") and "%" not in resolved["interval"]


def test_no_change_no_difference_and_chinese_without_a_font(monkeypatch) -> None:
    import govsim.figures.style as style

    monkeypatch.setattr(style, "cjk_font", lambda: None)
    out = lesson(LEAK, "fragmented", {}, "zh", replications=3)
    assert out["changes"] == {}
    assert all(r["difference"]["mean"] in (0.0, None) and not r["difference"]["clear"]
               for r in out["table"])
    assert "中文" in out["notes"][0]  # drawn in English, and the page says why
    assert any("解决" in r["label"] for r in out["table"])
    with pytest.raises(GovsimError, match="lang"):
        lesson(LEAK, "fragmented", {}, "keys", replications=2)


def test_a_request_overtaken_by_a_newer_one_does_not_run() -> None:
    room = Classroom(LEAK, replications=2)
    first = room.run({"regime": "fragmented", "values": {}, "seq": 2, "client": "a"})
    assert first["seq"] == 2 and not first.get("stale") and first["cached"] is False
    assert room.run({"regime": "fragmented", "seq": 1, "client": "a"}) == {"seq": 1,
                                                                       "stale": True}
    # another page has its own count; the same position again is answered from the cache
    again = room.run({"regime": "fragmented", "seq": 1, "client": "b"})
    assert again["cached"] is True and again["table"] == first["table"]
    for request, where in [({"regime": "nope"}, "regime"), ([1], "request"),
                           ({"regime": "fragmented", "lang": "fr"}, "lang"),
                           ({"regime": "fragmented", "seq": "x"}, "seq"),
                           ({"regime": "fragmented", "values": {FUND: "yes"}},
                            f"values.{FUND}")]:
        with pytest.raises(GovsimError) as err:
            room.run(request)
        assert err.value.path == where


# ------------------------------------------------------------------------------- the CLI
def test_the_cli_refuses_bad_flags_and_a_port_in_use(capsys) -> None:
    assert main(["classroom", "--port", "70000", "--no-browser"]) == 2
    assert "--port" in capsys.readouterr().err
    assert main(["classroom", "no_such_scenario", "--no-browser"]) == 2
    assert "SCENARIO" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["classroom", "--lang", "keys"])
    assert exit_.value.code == 2
    capsys.readouterr()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["classroom", "--port", str(port), "--no-browser",
                     "--replications", "2"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"govsim: error: --port: port {port} on 127.0.0.1 is in use: choose " \
                  "another with --port (or --port 0 for any free one)"


@pytest.fixture(scope="module")
def served():
    """``govsim classroom`` in a subprocess on a free port; its address, stopped afterwards
    (small runs, except for the screenshot, which shows the page as a class sees it)."""
    small = [] if os.environ.get("GOVSIM_CLASSROOM_SCREENSHOT") else ["--replications", "4"]
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from govsim.cli import main; sys.exit(main())",
         "classroom", "--port", "0", "--no-browser", *small],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()  # printed once the server listens
        assert "http://127.0.0.1:" in line, proc.stderr.read()
        yield line.split(" at ")[1].split()[0]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        proc.stdout.close()
        proc.stderr.close()


def _get(url: str, data: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """GET ``url`` (POST ``data`` as JSON, unless ``headers`` say otherwise): status, body."""
    if data is not None:
        headers = {"Content-Type": "application/json", **(headers or {})}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data, headers or {}),
                                    timeout=120) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_the_server_answers_locally(served) -> None:
    status, page = _get(served)
    assert status == 200 and b"<!DOCTYPE html>" in page
    assert b"http://" not in page and b"https://" not in page  # nothing from outside
    status, setup = _get(served + "api/setup?lang=zh")
    setup = json.loads(setup)
    assert status == 200 and setup["regimes"][0]["key"] == "fragmented"
    assert "维修基金" in json.dumps(setup, ensure_ascii=False)
    status, body = _get(served + "api/run", json.dumps(
        {"regime": "fragmented", "values": {"accuracy": 0.5}}).encode())
    assert status == 400 and json.loads(body)["error"].startswith("values.accuracy: no control")
    assert _get(served + "api/run", b"{not json")[0] == 400
    run = json.dumps({"regime": "fragmented", "values": {}}).encode()
    # not JSON by its type (a form another site's page may post without asking): refused
    assert _get(served + "api/run", run, {"Content-Type": "text/plain"})[0] == 400
    assert _get(served + "api/run", run, {"Content-Length": "abc"})[0] == 400
    # a page of another site may not run simulations here, even on this machine
    assert _get(served + "api/run", run, {"Origin": "http://evil.example"})[0] == 403
    assert _get(served + "favicon.ico")[0] == 204 and _get(served + "other")[0] == 404
    # a page of another site whose name resolves here (DNS rebinding) is refused
    asked = urllib.request.Request(served + "api/setup", headers={"Host": "evil.example:80"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(asked, timeout=30)
    assert refused.value.code == 403
    refused.value.close()


# ------------------------------------------------------------------------------- the page
_STATUS = "document.getElementById('status')"
_DIFFS = ("Object.fromEntries(Array.from(document.querySelectorAll('#results tr[data-metric]'))"
          ".map(tr => [tr.dataset.metric, tr.querySelector('td.diff').dataset.value]))")


def _ready_after(page, seq: str, timeout: float = 90) -> str:
    """Wait until the page shows the answer to a request newer than ``seq``; its seq."""
    return page.wait_for(f"{_STATUS}.dataset.state === 'ready' && {_STATUS}.dataset.seq !== "
                         f"'{seq}' && {_STATUS}.dataset.seq", timeout)


def test_the_page_in_headless_chromium_follows_a_switch(served) -> None:
    from tests._chromium import Browser, require_chromium

    require_chromium()
    with Browser(timeout=120, window_size=(1280, 900)) as browser:
        page = browser.open(served)
        seq = _ready_after(page, "0")
        before = page.evaluate(_DIFFS)
        assert before and all(v in ("0", "") for v in before.values())  # nothing changed yet
        # switch a rule: the building's maintenance fund may be opened
        assert page.evaluate(f"(() => {{ const c = document.getElementById('ctl-{FUND}');"
                             " c.click(); return c.checked; })()") is True
        seq = _ready_after(page, seq)
        after = page.evaluate(_DIFFS)
        assert float(after["street_office_burden_yuan"]) < 0  # no advance needed
        assert sum(after[m] != before[m] for m in before) >= 3
        assert page.evaluate("document.getElementById('changes').textContent").count(
            "world.funds.maintenance_fund.available") == 1
        assert page.evaluate("Array.from(document.images).filter(i => i.naturalWidth > 0)"
                             ".length") >= 4  # survival, costs, two journeys
        shot = os.environ.get("GOVSIM_CLASSROOM_SCREENSHOT")
        if shot:
            page.screenshot_to(Path(shot), height=1500)
        # a slider, and the language: the same position in Chinese
        page.evaluate("(() => { const s = document.getElementById('ctl-referral_lost');"
                      " s.value = s.min; s.dispatchEvent(new Event('input')); })()")
        page.evaluate("document.getElementById('lang-zh').click()")
        seq = _ready_after(page, seq)
        assert page.evaluate("document.documentElement.lang") == "zh-Hans"
        assert "城市的规则" in page.evaluate("document.body.innerText")
        assert page.evaluate(f"document.getElementById('ctl-{FUND}').checked") is True
        changes = page.evaluate("document.getElementById('changes').textContent")
        assert "referral_lost_prob = 0" in changes and "maintenance_fund" in changes
        page.refresh()
        assert page.errors == [] and page.external_requests == [] and page.failed_loads == []
        if shot:
            assert Path(shot).stat().st_size < 300_000
