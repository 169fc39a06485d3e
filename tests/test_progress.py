"""Progress on stderr (govsim.progress)."""

from __future__ import annotations

from govsim.progress import ProgressReporter


def test_progress_degrades_to_plain_lines() -> None:
    import io

    stream = io.StringIO()
    rep = ProgressReporter("sweep", 4, stream=stream, every=0.0, quiet_for=0.0)
    for k in range(1, 5):
        rep(k, 4 if k < 3 else 6)
    rep(6, 6)
    rep.close()
    lines = stream.getvalue().splitlines()
    assert lines[0] == "sweep: 1/4 replications (0 s)"
    assert lines[-1].startswith("sweep: 6/6 replications")
