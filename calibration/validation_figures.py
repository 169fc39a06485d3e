"""The figures of docs/validation.md, drawn from the tables of
``calibration/validation_checks.py``: the engine against queueing theory (Erlang C, its wait
distribution, Erlang A, an open network in product form), Little's law on every shipped
scenario, and the working-day calendar of the 2024 Spring Festival.

The page runs these functions when the site is built (each returns a matplotlib figure). Run by
hand, the script recomputes every table, prints it and saves the figures as PNGs:

    .venv/bin/python calibration/validation_figures.py [OUT]   # default site/validation-figures
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import validation_checks as vc  # noqa: E402

from govsim.stats.theory import erlang_a, mmc_mean_wait, mmc_wait_tail  # noqa: E402

THEORY = {"color": "black", "lw": 1.2, "label": "theory"}
SIM = {"fmt": "o", "color": "tab:blue", "ms": 4, "capsize": 3, "label": "govsim, mean and 95% CI"}


def _yerr(df: pd.DataFrame, prefix: str = "") -> list:
    mean = df[f"{prefix}mean"]
    return [mean - df[f"{prefix}low"], df[f"{prefix}high"] - mean]


def erlang_c_figure(means: pd.DataFrame, curves: pd.DataFrame, c: int = 3):
    """Left: mean wait across loads (``erlang_c_table``); right: the wait distribution
    (``wait_tail_curves``), log scale."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    fine = np.linspace(0.35, 0.92, 100)
    ax1.plot(fine, [mmc_mean_wait(r * c, 1.0, c) for r in fine], **THEORY)
    ax1.errorbar(means["rho"], means["mean"], yerr=_yerr(means), **SIM)
    ax1.set(xlabel="utilisation rho = lambda / (c mu)", ylabel="mean wait in queue (hours)",
            title=f"Mean wait, M/M/{c}: C(c, a) / (c mu - lambda)")
    ax1.legend(frameon=False)
    for ((lam, cc), part), colour in zip(curves.groupby(["lam", "c"], sort=False),
                                         ("tab:blue", "tab:orange"), strict=True):
        fine_t = np.linspace(0.0, part["t"].max(), 100)
        ax2.plot(fine_t, [mmc_wait_tail(lam, 1.0, cc, t) for t in fine_t], color=colour, lw=1.2,
                 label=f"M/M/{cc}, rho {lam / cc:.1f}: C exp(-(c mu - lambda) t)")
        ax2.errorbar(part["t"], part["mean"], yerr=_yerr(part), fmt="o", ms=4, capsize=3,
                     color=colour, mfc="white")
    ax2.set_yscale("log")
    ax2.set(xlabel="t (hours)", ylabel="P(wait > t)",
            title="Wait distribution (points: govsim, 95% CI)")
    ax2.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def erlang_a_figure(table: pd.DataFrame, mu: float = 10.0, theta: float = 15.0, c: int = 2):
    """Abandonment share and mean wait across offered loads (``erlang_a_table``)."""
    fine = np.linspace(0.4, 2.1, 100)
    theory = [erlang_a(f * c * mu, mu, theta, c) for f in fine]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
    for ax, prefix, k, scale, label in (
            (ax1, "share_", 0, 1.0, "share of callers who hang up"),
            (ax2, "wait_", 1, 60.0, "mean wait on the line (minutes)")):
        ax.plot(fine, [t[k] * scale for t in theory], **THEORY)
        ax.errorbar(table["load"], table[f"{prefix}mean"], yerr=_yerr(table, prefix), **SIM)
        ax.axvline(1.0, color="grey", lw=0.8, ls=":")
        ax.set(xlabel="offered load lambda / (c mu)", ylabel=label)
    ax1.set_title(f"Erlang A (M/M/{c}+M): abandonment")
    ax2.set_title("Erlang A: mean wait (answered or not)")
    ax1.legend(frameon=False)
    fig.tight_layout()
    return fig


def network_figure(table: pd.DataFrame, mu: float = 1.0, c_a: int = 2, c_b: int = 4):
    """Mean time from filing to resolution across arrival rates (``network_table``)."""
    from test_theory import product_form

    fine = np.linspace(0.3, 1.7, 100)
    fig, ax = plt.subplots(figsize=(5.6, 3.8))
    ax.plot(fine, [product_form(f, mu, c_a, c_b) for f in fine], **THEORY)
    ax.errorbar(table["lam"], table["mean"], yerr=_yerr(table), **SIM)
    ax.set(xlabel="arrivals per hour (lambda)", ylabel="mean time filing -> resolved (hours)",
           title="Open network vs product form")
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def little_figure(table: pd.DataFrame):
    """L against lambda W, and the gap over its bound, every scenario and regime
    (``little_table``)."""
    views = (("until resolved or abandoned", "ends", "o"),
             ("until resolved (duration_days)", "solved", "x"))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.2), gridspec_kw={"width_ratios": [1, 1.3]})
    for label, key, marker in views:
        ax1.scatter(table[f"lW_{key}"], table[f"L_{key}"], marker=marker, s=30, label=label)
    lo = table[["lW_ends", "lW_solved"]].min().min() / 2
    hi = table[["lW_ends", "lW_solved"]].max().max() * 2
    ax1.plot([lo, hi], [lo, hi], color="grey", lw=0.8, label="L = lambda W")
    ax1.set(xscale="log", yscale="log", xlabel="lambda W (cases table)",
            ylabel="L, mean open cases (events table)", title="Little's law, every scenario")
    ax1.legend(frameon=False, fontsize=8)
    y = np.arange(len(table))
    for k, (_, key, marker) in enumerate(views):
        ax2.scatter(table[f"gap_{key}"], y + 0.15 * (k - 0.5), marker=marker, s=30)
    ax2.axvline(-1, color="grey", ls=":")
    ax2.axvline(1, color="grey", ls=":")
    ax2.set_yticks(y, [f"{r.scenario}/{r.regime}" for r in table.itertuples()], fontsize=8)
    ax2.set(xlim=(-1.1, 1.1), xlabel="(L - lambda W) / tolerance (test fails outside +-1)",
            title="Gap within the sampling bound")
    fig.tight_layout()
    return fig


def calendar_figure(table: pd.DataFrame):
    """Each day coloured by the hand-checked table, with what govsim's calendar says; a day
    where they differ is framed in red (``calendar_table``)."""
    colours = {"work": "#ffffff", "weekend": "#d9d9d9", "holiday": "#f4a582", "make-up": "#92c5de"}
    weeks = int(table["week"].max()) + 1
    fig, ax = plt.subplots(figsize=(6.2, 3.6))
    for r in table.itertuples():
        x, y = r.weekday, weeks - 1 - r.week
        ax.add_patch(plt.Rectangle((x, y), 0.95, 0.9, facecolor=colours[r.kind],
                                   edgecolor="red" if r.mismatch else "black",
                                   lw=2 if r.mismatch else 0.5))
        ax.text(x + 0.47, y + 0.55, r.date.strftime("%d %b").lstrip("0"), ha="center", fontsize=8)
        ax.text(x + 0.47, y + 0.18, "work" if r.govsim_works else "off", ha="center",
                fontsize=8, weight="bold" if r.govsim_works else "normal")
    for k, name in enumerate(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]):
        ax.text(k + 0.47, weeks + 0.1, name, ha="center", fontsize=9)
    handles = [plt.Rectangle((0, 0), 1, 1, facecolor=v, edgecolor="black", lw=0.5)
               for v in colours.values()]
    ax.legend(handles, ["working day", "weekend", "holiday (State Council)", "make-up working day"],
              loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=4, frameon=False, fontsize=8)
    ax.set(xlim=(0, 7), ylim=(0, weeks + 0.5),
           title="govsim's CN calendar around the 2024 Spring Festival")
    ax.axis("off")
    fig.tight_layout()
    return fig


def main(argv: list[str] | None = None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else vc.ROOT / "site" / "validation-figures")
    out.mkdir(parents=True, exist_ok=True)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 30)
    figures = {
        "erlang_c": lambda: erlang_c_figure(*show(vc.erlang_c_table(), vc.wait_tail_curves())),
        "wait_distribution": lambda: show(vc.wait_distribution_table()) and None,
        "erlang_a": lambda: erlang_a_figure(*show(vc.erlang_a_table())),
        "network": lambda: network_figure(*show(vc.network_table())),
        "little": lambda: little_figure(*show(vc.little_table())),
        "calendar": lambda: calendar_figure(*show(vc.calendar_table())),
    }
    for name, make in figures.items():
        t0 = time.perf_counter()
        print(f"== {name}")
        fig = make()
        if fig is not None:
            path = out / f"validation_{name}.png"
            fig.savefig(path, dpi=100)
            plt.close(fig)
            print(f"  -> {path} ({path.stat().st_size / 1024:.0f} KiB)")
        print(f"  ({time.perf_counter() - t0:.1f} s)")


def show(*tables: pd.DataFrame) -> tuple[pd.DataFrame, ...]:
    """Print each table; return them."""
    for table in tables:
        print(table.to_string(index=False))
    return tables


if __name__ == "__main__":
    main()
