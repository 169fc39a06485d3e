"""Write ``requests_nyc311.csv``: a synthetic request log in NYC 311's shape, drawn from a KNOWN
world, for ``tests/test_data_requests.py`` to learn back.

Run ``python tests/data/make_requests.py`` to rewrite the file (the seed is fixed, so the bytes
are the same every time; a test checks that). Two years of three complaint types handled by four
agencies: monthly and weekday profiles (each averaging 1), a +18 %/yr trend on street conditions,
sewer complaints shared 70/30 between DEP and DOT, a 5 % tail of dumping handled by NYPD, and
gamma times to close per agency; requests still open at the export (2025-01-01 00:00) have no
close time and a status other than "Closed".
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from govsim.scenario.world import Category

SEED = 20250113
START = dt.date(2023, 1, 1)
DAYS = 731  # 2023-01-01 to 2025-01-01
AS_OF = pd.Timestamp("2025-01-01 00:00:00")
HERE = Path(__file__).resolve().parent
CSV = HERE / "requests_nyc311.csv"
FORMAT = "%m/%d/%Y %I:%M:%S %p"
OPEN_STATUSES = ("Open", "In Progress", "Assigned")


def _average_one(values: list[float]) -> tuple[float, ...]:
    a = np.asarray(values, dtype=float)
    return tuple(float(x) for x in a / a.mean())


#: the true categories, in the scenario's shape (profiles average 1; rates at START);
#: ``shares`` say which agency handles what share of the requests
TRUTH: dict[str, dict] = {
    "Street Condition": {
        "rate_per_day": 2.2,
        "seasonal": _average_one([1.3, 1.6, 1.5, 1.2, 1.0, 0.8, 0.7, 0.7, 0.8, 0.9, 1.0, 1.1]),
        "weekday": _average_one([1.3, 1.2, 1.2, 1.1, 1.1, 0.6, 0.5]),
        "trend_per_year": 0.18,
        "shares": {"DOT": 1.0},
    },
    "Illegal Dumping": {
        "rate_per_day": 1.6,
        "seasonal": _average_one([0.7, 0.7, 0.8, 0.9, 1.1, 1.3, 1.4, 1.3, 1.1, 1.0, 0.9, 0.8]),
        "weekday": _average_one([1.2, 1.0, 1.0, 1.0, 1.0, 0.9, 0.9]),
        "trend_per_year": 0.05,
        "shares": {"DSNY": 0.95, "NYPD": 0.05},
    },
    "Sewer": {
        "rate_per_day": 1.1,
        "seasonal": _average_one([0.8, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.3, 1.1, 0.9, 0.8, 0.8]),
        "weekday": _average_one([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
        "trend_per_year": -0.10,
        "shares": {"DEP": 0.7, "DOT": 0.3},
    },
}

#: the true time to close per agency: gamma with this mean (days) and coefficient of variation
DURATIONS: dict[str, tuple[float, float]] = {
    "DOT": (5.0, 0.9),
    "DSNY": (2.0, 0.7),
    "DEP": (15.0, 1.2),
    "NYPD": (1.0, 0.5),
}


def true_category(name: str) -> Category:
    """The true category as govsim's schema (for its daily rates)."""
    t = TRUTH[name]
    return Category(rate_per_day=t["rate_per_day"], seasonal=t["seasonal"], weekday=t["weekday"],
                    trend_per_year=t["trend_per_year"], owners=tuple(t["shares"]))


def mixture(shares: dict[str, float]) -> tuple[float, float]:
    """Mean and cv of the time to close of a category whose requests go to several agencies."""
    m1 = sum(p * DURATIONS[a][0] for a, p in shares.items())
    m2 = sum(p * DURATIONS[a][0] ** 2 * (1.0 + DURATIONS[a][1] ** 2) for a, p in shares.items())
    return m1, float(np.sqrt(m2 - m1 * m1) / m1)


def make_log(seed: int = SEED) -> pd.DataFrame:
    """The synthetic log as NYC 311's columns (times as NYC writes them)."""
    rng = np.random.default_rng(seed)
    frames = []
    origin = pd.Timestamp(START)
    for name in TRUTH:  # a fixed order, so the draws are reproducible
        rates = true_category(name).daily_rates(START, DAYS)
        counts = rng.poisson(rates)
        day = np.repeat(np.arange(DAYS), counts)
        seconds = np.floor((day + rng.random(day.size)) * 86400.0)
        agencies = list(TRUTH[name]["shares"])
        agency = rng.choice(agencies, size=day.size, p=list(TRUTH[name]["shares"].values()))
        mean = np.array([DURATIONS[a][0] for a in agency])
        cv = np.array([DURATIONS[a][1] for a in agency])
        shape = 1.0 / cv**2
        close = seconds + np.ceil(rng.gamma(shape, mean / shape) * 86400.0)
        frames.append(pd.DataFrame({"created": seconds, "closed": close, "agency": agency,
                                    "type": name}))
    log = pd.concat(frames).sort_values(["created", "type"], kind="stable").reset_index(drop=True)
    created = origin + pd.to_timedelta(log["created"], unit="s")
    closed = origin + pd.to_timedelta(log["closed"], unit="s")
    still_open = (closed > AS_OF).to_numpy()
    status = np.where(still_open, rng.choice(OPEN_STATUSES, size=len(log)), "Closed")
    return pd.DataFrame({
        "Unique Key": np.arange(50_000_001, 50_000_001 + len(log)),
        "Created Date": created.dt.strftime(FORMAT),
        "Closed Date": closed.dt.strftime(FORMAT).where(~still_open, ""),
        "Agency": log["agency"],
        "Complaint Type": log["type"],
        "Status": status,
    })


def main() -> None:
    make_log().to_csv(CSV, index=False)
    print(f"wrote {CSV} ({CSV.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
