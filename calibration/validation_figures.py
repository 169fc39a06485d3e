"""Regenerate the figures of docs/validation.md: the engine against queueing theory (Erlang C,
its wait distribution, Erlang A, an open network in product form), Little's law on every
shipped scenario, and the working-day calendar of the 2024 Spring Festival.

    .venv/bin/python calibration/validation_figures.py          # about 40 s

Deterministic (fixed seeds, serial runs). Each point of a curve has a seed of its own (the
test's seed plus the point's index), so the points are independent checks: at 95% about one
interval in twenty misses the theory by chance. The measurements are those of
``tests/test_validation.py`` (imported from there, with ``tests/_factory.py``), so each figure
shows what its test checks, over more loads. Prints the numbers it plots.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import govsim  # noqa: E402
from govsim.calendar import working_day_table  # noqa: E402
from govsim.scenario import mmc_scenario  # noqa: E402
from govsim.stats.intervals import mean_ci  # noqa: E402
from govsim.stats.theory import (  # noqa: E402
    erlang_a,
    erlang_c,
    mmc_mean_wait,
    mmc_wait_quantile,
    mmc_wait_tail,
)

FIGURES = ROOT / "docs" / "figures"
DPI = 100
THEORY = {"color": "black", "lw": 1.2, "label": "theory"}
SIM = {"fmt": "o", "color": "tab:blue", "ms": 4, "capsize": 3, "label": "govsim, mean and 95% CI"}


def _ci(values) -> tuple[float, float, float]:
    mean, low, high, _ = mean_ci(np.asarray(values, dtype=float))
    return mean, mean - low, high - mean


def _show(stat: tuple[float, float, float], theory: float, unit: str = "") -> str:
    """``mean [low, high] unit vs theory``, flagged when the 95% interval misses the theory."""
    mean, down, up = stat
    miss = "" if mean - down <= theory <= mean + up else "  <-- theory outside the 95% CI"
    return f"{mean:.4f} [{mean - down:.4f}, {mean + up:.4f}]{unit} vs {theory:.4f}{miss}"


def _save(fig, name: str) -> None:
    fig.tight_layout()
    path = FIGURES / f"validation_{name}.png"
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    print(f"  -> {path.relative_to(ROOT)} ({path.stat().st_size / 1024:.0f} KiB)")


# ------------------------------------------------------------------ Erlang C
def erlang_c_figure() -> None:
    from test_validation import _waits, wait_tails

    mu, c, days, reps, seed = 1.0, 3, 240, 20, 2024
    print(f"Erlang C: M/M/{c}, mu = {mu}/h, {reps} replications of {days} days, 2-day warm-up")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    loads = [1.2, 1.5, 1.8, 2.1, 2.4, 2.7]
    rows = []
    for k, lam in enumerate(loads):
        s = mmc_scenario(lam, c, 1.0 / mu, horizon_days=days)
        res = govsim.run(s, replications=reps, seed=seed + k, jobs=1, warmup_days=2.0)
        w = _waits(res.events, pd.Timestamp(s.world.start))
        stat = _ci(w.groupby("replication")["wait"].mean())
        rows.append((lam, *stat, mmc_mean_wait(lam, mu, c)))
        print(f"  rho {lam / c:.2f}: mean wait (h) {_show(stat, mmc_mean_wait(lam, mu, c))}")
    rho = np.array([r[0] for r in rows]) / c
    fine = np.linspace(0.35, 0.92, 100)
    ax1.plot(fine, [mmc_mean_wait(r * c, mu, c) for r in fine], **THEORY)
    ax1.errorbar(rho, [r[1] for r in rows], yerr=[[r[2] for r in rows], [r[3] for r in rows]], **SIM)
    ax1.set(xlabel="utilisation rho = lambda / (c mu)", ylabel="mean wait in queue (hours)",
            title=f"Mean wait, M/M/{c}: C(c, a) / (c mu - lambda)")
    ax1.legend(frameon=False)

    for (lam, cc), colour in (((0.6, 1), "tab:blue"), ((2.4, 3), "tab:orange")):
        s = mmc_scenario(lam, cc, 1.0 / mu, horizon_days=days)
        res = govsim.run(s, replications=reps, seed=seed, jobs=1, warmup_days=2.0)
        top = mmc_wait_quantile(lam, mu, cc, 1.0 - erlang_c(lam, mu, cc) / 32)
        ts = list(np.linspace(0.0, top, 11))
        tails = wait_tails(res.events, pd.Timestamp(s.world.start), days * 24.0, ts)
        stats = [_ci(tails[:, j]) for j in range(len(ts))]
        fine_t = np.linspace(0.0, top, 100)
        ax2.plot(fine_t, [mmc_wait_tail(lam, mu, cc, t) for t in fine_t], color=colour, lw=1.2,
                 label=f"M/M/{cc}, rho {lam / cc:.1f}: C exp(-(c mu - lambda) t)")
        ax2.errorbar(ts, [m for m, _, _ in stats], yerr=[[lo for _, lo, _ in stats],
                                                          [hi for _, _, hi in stats]],
                     fmt="o", ms=4, capsize=3, color=colour, mfc="white")
        for t, stat in zip(ts, stats, strict=True):
            print(f"  M/M/{cc} rho {lam / cc:.1f}: P(W > {t:.2f} h) "
                  f"{_show(stat, mmc_wait_tail(lam, mu, cc, t))}")
    ax2.set_yscale("log")
    ax2.set(xlabel="t (hours)", ylabel="P(wait > t)", title="Wait distribution (points: govsim, 95% CI)")
    ax2.legend(frameon=False, fontsize=8)
    _save(fig, "erlang_c")


# ------------------------------------------------------------------ Erlang A
def erlang_a_figure() -> None:
    from test_validation import call_centre_scenario

    mu, theta, c, days, reps = 10.0, 15.0, 2, 20, 8
    print(f"Erlang A: {c} call-takers, talk {60 / mu:.0f} min, patience {60 / theta:.0f} min, "
          f"{reps} replications of {days} days")
    loads = [10.0, 15.0, 20.0, 25.0, 30.0, 40.0]
    share, wait = [], []
    for k, lam in enumerate(loads):
        res = govsim.run(call_centre_scenario(lam, mu, theta, c, days), replications=reps,
                         seed=13 + k, jobs=1, record_events=False)
        by_rep = res.cases.groupby("replication")
        share.append(_ci(by_rep["calls_abandoned"].mean()))
        wait.append(_ci(by_rep["call_wait_hours"].mean() * 60.0))
        th_share, th_wait = erlang_a(lam, mu, theta, c)
        print(f"  offered load {lam / (c * mu):.2f}: hang up {_show(share[-1], th_share)}; "
              f"wait {_show(wait[-1], th_wait * 60, ' min')}")
    x = np.array(loads) / (c * mu)
    fine = np.linspace(0.4, 2.1, 100)
    theory = [erlang_a(f * c * mu, mu, theta, c) for f in fine]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
    for ax, data, k, scale, label in ((ax1, share, 0, 1.0, "share of callers who hang up"),
                                      (ax2, wait, 1, 60.0, "mean wait on the line (minutes)")):
        ax.plot(fine, [t[k] * scale for t in theory], **THEORY)
        ax.errorbar(x, [m for m, _, _ in data], yerr=[[lo for _, lo, _ in data],
                                                      [hi for _, _, hi in data]], **SIM)
        ax.axvline(1.0, color="grey", lw=0.8, ls=":")
        ax.set(xlabel="offered load lambda / (c mu)", ylabel=label)
    ax1.set_title("Erlang A (M/M/2+M): abandonment")
    ax2.set_title("Erlang A: mean wait (answered or not)")
    ax1.legend(frameon=False)
    _save(fig, "erlang_a")


# ------------------------------------------------------------------ open network
def network_scenario(lam: float, mu: float, c_a: int, c_b: int, days: int):
    """Desk A (c_a staff) refers every case to owner B (c_b staff), who takes it in and then
    fixes it; every step exponential with mean 1 / mu. The same construction as
    ``tests/test_theory.py::test_referral_network_matches_kelly_product_form``."""
    from _factory import category, fragmented, scenario

    units = {"a": {"kind": "bureau", "staff": c_a, "hours": "24h"},
             "b": {"kind": "bureau", "staff": c_b, "hours": "24h"}}
    return scenario(
        {"net": fragmented(intake_hours=1.0 / mu, intake_cv=1.0,
                           channels=[{"name": "desk a", "unit": "a"}],
                           deflection={"refer_prob": 1.0, "referral_lost_prob": 0.0})},
        units=units,
        categories={"job": category(rate_per_day=lam * 24, owners=["b"], work_hours=1.0 / mu)},
        horizon_days=days,
    )


def product_form(lam: float, mu: float, c_a: int, c_b: int) -> float:
    return (mmc_mean_wait(lam, mu, c_a) + 1 / mu) + 2 * (mmc_mean_wait(2 * lam, mu, c_b) + 1 / mu)


def network_figure() -> None:
    mu, c_a, c_b, days, reps = 1.0, 2, 4, 90, 30
    print(f"Open network: desk A ({c_a} staff) -> owner B ({c_b} staff, visited twice), "
          f"{reps} replications of {days} days")
    loads = [0.4, 0.7, 1.0, 1.2, 1.4, 1.6]
    rows = []
    for k, lam in enumerate(loads):
        res = govsim.run(network_scenario(lam, mu, c_a, c_b, days), replications=reps, seed=31 + k,
                         jobs=1, record_events=False)
        done = res.cases[res.cases["resolved"]]
        rows.append(_ci((done["resolution_days"] * 24).groupby(done["replication"]).mean()))
        print(f"  lambda {lam}/h: sojourn (h) {_show(rows[-1], product_form(lam, mu, c_a, c_b))}")
    fine = np.linspace(0.3, 1.7, 100)
    fig, ax = plt.subplots(figsize=(5.6, 3.8))
    ax.plot(fine, [product_form(f, mu, c_a, c_b) for f in fine], **THEORY)
    ax.errorbar(loads, [r[0] for r in rows], yerr=[[r[1] for r in rows], [r[2] for r in rows]],
                **SIM)
    ax.set(xlabel="arrivals per hour (lambda)", ylabel="mean time filing -> resolved (hours)",
           title="Open network vs product form")
    ax.legend(frameon=False)
    _save(fig, "network")


# ------------------------------------------------------------------ Little's law
def little_figure() -> None:
    from test_validation import littles_law, shipped_regimes, short_run

    print("Little's law: every shipped scenario and regime, 45 days (whole horizon when cases "
          "are dated), one replication")
    rows = []
    for stem, regime in shipped_regimes():
        s, res = short_run(stem, regime)
        start, horizon_h = pd.Timestamp(s.world.start), s.world.horizon_days * 24.0
        for view, endings in (("until resolved or abandoned", ("resolved", "abandon")),
                              ("until resolved (duration_days)", ("resolved",))):
            got = littles_law(res.cases, res.events, start, horizon_h, endings)
            rows.append({"scenario": stem, "regime": regime, "view": view, **got})
            print(f"  {stem}/{regime:30s} {view:32s} L {got['L']:10.3f}  lambda W "
                  f"{got['lambda_W']:10.3f}  |diff| {abs(got['L'] - got['lambda_W']):.2e} "
                  f"<= {got['tolerance']:.2e}")
    df = pd.DataFrame(rows)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.2), gridspec_kw={"width_ratios": [1, 1.3]})
    for view, marker in zip(df["view"].unique(), ("o", "x"), strict=True):
        part = df[df["view"] == view]
        ax1.scatter(part["lambda_W"], part["L"], marker=marker, s=30, label=view)
    lo, hi = df["lambda_W"].min() / 2, df["lambda_W"].max() * 2
    ax1.plot([lo, hi], [lo, hi], color="grey", lw=0.8, label="L = lambda W")
    ax1.set(xscale="log", yscale="log", xlabel="lambda W (cases table)",
            ylabel="L, mean open cases (events table)", title="Little's law, every scenario")
    ax1.legend(frameon=False, fontsize=8)
    labels = [f"{r.scenario}/{r.regime}" for r in df[df["view"] == df["view"].iloc[0]].itertuples()]
    y = np.arange(len(labels))
    for k, (view, marker) in enumerate(zip(df["view"].unique(), ("o", "x"), strict=True)):
        part = df[df["view"] == view]
        ax2.scatter((part["L"] - part["lambda_W"]) / part["tolerance"], y + 0.15 * (k - 0.5),
                    marker=marker, s=30)
    ax2.axvline(-1, color="grey", ls=":")
    ax2.axvline(1, color="grey", ls=":")
    ax2.set_yticks(y, labels, fontsize=8)
    ax2.set(xlim=(-1.1, 1.1), xlabel="(L - lambda W) / tolerance (test fails outside +-1)",
            title="Gap within the sampling bound")
    _save(fig, "little")


# ------------------------------------------------------------------ calendar
def calendar_figure() -> None:
    from test_validation import CN_2024_MAKE_UP, CN_2024_OFF, SPRING_FESTIVAL_WEEKS

    start = dt.date(2024, 1, 29)
    table = working_day_table(start, 35, country="CN").reshape(5, 7)
    off = {first + dt.timedelta(k) for _, first, last in CN_2024_OFF
           for k in range((last - first).days + 1)}
    colours = {"work": "#ffffff", "weekend": "#d9d9d9", "holiday": "#f4a582", "make-up": "#92c5de"}
    fig, ax = plt.subplots(figsize=(6.2, 3.6))
    mismatches = 0
    for w in range(5):
        for k in range(7):
            day = start + dt.timedelta(7 * w + k)
            kind = ("make-up" if day in CN_2024_MAKE_UP else "holiday" if day in off
                    else "weekend" if k >= 5 else "work")
            wrong = bool(table[w, k]) != (SPRING_FESTIVAL_WEEKS[w][k] == "W")
            mismatches += wrong
            ax.add_patch(plt.Rectangle((k, 4 - w), 0.95, 0.9, facecolor=colours[kind],
                                       edgecolor="red" if wrong else "black", lw=2 if wrong else 0.5))
            ax.text(k + 0.47, 4 - w + 0.55, day.strftime("%d %b").lstrip("0"), ha="center", fontsize=8)
            ax.text(k + 0.47, 4 - w + 0.18, "work" if table[w, k] else "off", ha="center",
                    fontsize=8, weight="bold" if table[w, k] else "normal")
    for k, name in enumerate(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]):
        ax.text(k + 0.47, 5.1, name, ha="center", fontsize=9)
    handles = [plt.Rectangle((0, 0), 1, 1, facecolor=v, edgecolor="black", lw=0.5) for v in colours.values()]
    ax.legend(handles, ["working day", "weekend", "holiday (State Council)", "make-up working day"],
              loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=4, frameon=False, fontsize=8)
    ax.set(xlim=(0, 7), ylim=(0, 5.5), title="govsim's CN calendar around the 2024 Spring Festival")
    ax.axis("off")
    print(f"Calendar: 35 days from {start}, {mismatches} days differ from the hand-checked table")
    _save(fig, "calendar")


def main() -> None:
    FIGURES.mkdir(parents=True, exist_ok=True)
    for make in (erlang_c_figure, erlang_a_figure, network_figure, little_figure, calendar_figure):
        t0 = time.perf_counter()
        make()
        print(f"  ({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
