"""Shared pieces of the sweep tests: a tiny two-regime world and a small experiment."""

from __future__ import annotations

import hashlib
from pathlib import Path

from _factory import category, consolidated, fragmented, scenario

import govsim
from govsim.experiment import Experiment

ROOT = Path(__file__).resolve().parents[1]


def tiny(horizon_days: int = 20) -> govsim.Scenario:
    """Two regimes on a small, congested world: a few hundred cases per replication."""
    return scenario(
        {"fragmented": fragmented(), "consolidated": consolidated(accuracy=0.9)},
        categories={"leak": category(rate_per_day=8.0, work_hours=2.0)},
        horizon_days=horizon_days,
    )


def small_experiment(**kw: object) -> Experiment:
    args: dict[str, object] = dict(
        factors={"regimes.consolidated.accuracy": [0.6, 0.95],
                 "world.units.owner.staff": [1, 3]},
        replications=3, seed=11, keep=("cases", "units"))
    args.update(kw)
    return Experiment(tiny(), **args)  # type: ignore[arg-type]


def file_digests(root: Path) -> dict[str, str]:
    """Digest of every result file (the log holds times, so it is left out, and so are the
    damaged files a resume set aside)."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != "log.txt"
            and p.relative_to(root).parts[0] != "set_aside"}


def count_files(folder: Path) -> int:
    return len(list(folder.glob("p*-r*.parquet"))) if folder.is_dir() else 0
