"""The text table and the JSON of a robustness study (:mod:`govsim.experiment.robustness`).

Layer: report. For each metric: the paired difference B − A at each horizon, with B's
funding as written and as its preset sets it; then, across the Latin hypercube over the
scenario's assumptions, the share of points with the sign B − A has at the scenario's own
values (Wilson interval), the points where it flips and the assumptions that drive it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from govsim.lang import metric_label
from govsim.measure.metrics import METRICS
from govsim.report.views import RobustnessView
from govsim.scenario.names import display_names

__all__ = ["robustness_table", "robustness_json"]

#: the most flipping points a table lists (the CSV and JSON have them all)
_SHOWN_FLIPS = 8


def _num(v: Any, digits: int = 4) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    if isinstance(v, float):
        return f"{v:,.{digits}g}" if abs(v) < 1e4 else f"{v:,.0f}"
    return str(v)


def _grid(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    """Columns padded to their widest cell; the first column right-aligned."""
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=True)]
    out = []
    for row in [headers, *rows]:
        cells = [str(c).rjust(w) if i == 0 else str(c).ljust(w)
                 for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        out.append((indent + "  ".join(cells)).rstrip())
    return out


def _interval(low: Any, high: Any, digits: int = 4) -> str:
    if not (isinstance(low, float) and math.isfinite(low) and math.isfinite(high)):
        return "—"
    return f"[{_num(low, digits)}, {_num(high, digits)}]"


def robustness_table(res: RobustnessView, lang: str = "en") -> str:
    """The study as text, one block per metric; regimes and metrics named in words (English;
    ``lang="keys"``: by their keys). The assumptions keep their key paths."""
    f = res.frames
    level = f"{res.confidence:.0%}"
    names = display_names(res.scenario, "keys" if lang == "keys" else "en")
    source, target = names.regime(res.source), names.regime(res.target)
    lines = [f"Robustness of {target} − {source} (B − A) in scenario "
             f"{res.scenario.name!r}: {res.replications} replications a run, seed {res.seed}, "
             f"{level} intervals"]
    design = f["design"]
    k = len(design.columns) - 1
    for m in res.metrics:
        lines += ["", f"{metric_label(m, METRICS[m][0], lang)}: B − A"]
        rows = [[str(r["horizon"]), r["funding"], _num(r["source"]), _num(r["target"]),
                 _num(r["difference"]), _interval(r["ci_low"], r["ci_high"]),
                 r["sign"] + (" (CI excludes 0)" if r["settled"] else "")]
                for r in f["horizons"].to_dict("records") if r["metric"] == m]
        lines += _grid(["horizon", "funding", source, target, "B − A", f"{level} CI",
                        "sign"], rows)
        holds = f["holds"]
        if holds.empty:
            continue
        lines.append(f"  across {len(design)} points of a Latin hypercube over {k} assumptions:")
        rows = []
        for r in holds[holds["metric"] == m].to_dict("records"):
            flips = r["flips"].split()
            shown = " ".join(flips[:_SHOWN_FLIPS]) + (" …" if len(flips) > _SHOWN_FLIPS else "")
            drivers = _drivers(f["prcc"], r["horizon"], m)
            rows.append([str(r["horizon"]), r["base_sign"],
                         f"{r['same_sign']} of {r['defined'] if r['base_sign'] != '?' else 0}",
                         _num(r["share"], 2), _interval(r["share_ci_low"], r["share_ci_high"], 2),
                         shown or "none", drivers or "none"])
        lines += _grid(["horizon", "sign at own values", "same sign", "share",
                        f"{level} CI (Wilson)", "flips at points",
                        "driven by (PRCC, CI excludes 0)"], rows)
    lines += ["", "Notes:"] + [f"- {n}" for n in res.notes]
    if k:
        lines.append("- assumptions (low–high): " + "; ".join(
            f"{p} {_num(a['low'])}–{_num(a['high'])}" for p, a in res.assumptions.items()))
    return "\n".join(lines)


def _drivers(prcc: pd.DataFrame, horizon: int, metric: str) -> str:
    if prcc.empty:
        return ""
    rows = prcc[(prcc["horizon"] == horizon) & (prcc["metric"] == metric) & prcc["excludes_zero"]]
    return ", ".join(f"{r['assumption']} ({r['prcc']:+.2f})" for r in rows.to_dict("records"))


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    def plain(v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            return None
        return v.item() if hasattr(v, "item") else v

    return [{str(k): plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def robustness_json(res: RobustnessView) -> str:
    """Every table but the runs, with the study's settings (NaN as null)."""
    f = res.frames
    return json.dumps({
        "scenario": res.scenario.name, "from": res.source, "to": res.target,
        "metrics": res.metrics, "horizons": res.horizons, "replications": res.replications,
        "seed": res.seed, "confidence": res.confidence,
        "funding": {"preset_variant": res.preset_funding, "note": res.funding_note},
        "assumptions": res.assumptions, "notes": res.notes,
        "by_horizon": _rows(f["horizons"]), "holds": _rows(f["holds"]), "prcc": _rows(f["prcc"]),
        "points": _rows(f["points"]), "design": _rows(f["design"]),
    }, indent=2, ensure_ascii=False)
