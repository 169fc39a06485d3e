"""Verified results (govsim.experiment.integrity): every committed file's size and checksum
recorded, damage found on loading and repaired on resume, to the same bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _sweeps import file_digests, small_experiment

from govsim.cli import main
from govsim.errors import GovsimError
from govsim.experiment import load_sweep, sweep
from govsim.experiment.integrity import JOURNAL, digest


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An uninterrupted sweep, to compare repaired directories with."""
    out = tmp_path_factory.mktemp("ref") / "s"
    sweep(small_experiment(), out, executor="serial", progress=False)
    return out


def _copy(src: Path, dst: Path) -> Path:
    import shutil

    shutil.copytree(src, dst)
    return dst


def test_the_manifest_records_every_committed_file(reference: Path) -> None:
    manifest = json.loads((reference / "manifest.json").read_text())
    files = manifest["files"]
    on_disk = sorted(p.relative_to(reference).as_posix() for table in ("metrics", "cases", "units")
                     for p in (reference / table).glob("*.parquet"))
    assert sorted(files) == on_disk and len(on_disk) == 3 * 4 * 3
    for rel, (size, sha) in files.items():
        assert digest(reference / rel) == (size, sha)
    assert not (reference / JOURNAL).exists()  # folded into the manifest at the end
    assert (reference / ".lock").read_bytes() == b""  # released


def test_a_truncated_metrics_file_is_named_on_loading(reference: Path, tmp_path: Path) -> None:
    out = _copy(reference, tmp_path / "s")
    victim = out / "metrics" / "p0002-r0001.parquet"
    victim.write_bytes(victim.read_bytes()[:100])
    with pytest.raises(GovsimError, match="metrics/p0002-r0001.parquet") as err:
        load_sweep(out)
    assert err.value.path == "directory" and "resume" in err.value.message


def test_a_truncated_file_is_set_aside_and_rerun_to_the_same_bytes(
        reference: Path, tmp_path: Path) -> None:
    out = _copy(reference, tmp_path / "s")
    for rel in ("metrics/p0002-r0001.parquet", "cases/p0001-r0000.parquet"):
        victim = out / rel
        victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
    res = sweep(small_experiment(), out, executor="serial", resume=True, progress=False)
    assert res.complete
    assert file_digests(out) == file_digests(reference)
    log = (out / "log.txt").read_text()
    assert "set aside" in log and "metrics/p0002-r0001.parquet" in log
    assert f"{4 * 3 - 2} tasks already done" in log
    # the damaged files are kept for inspection, all of each damaged task's files
    aside = sorted(p.relative_to(out / "set_aside").as_posix()
                   for p in (out / "set_aside").rglob("*.parquet"))
    assert aside == ["cases/p0001-r0000.parquet", "cases/p0002-r0001.parquet",
                     "metrics/p0001-r0000.parquet", "metrics/p0002-r0001.parquet",
                     "units/p0001-r0000.parquet", "units/p0002-r0001.parquet"]


def test_a_task_without_a_record_is_not_done(reference: Path, tmp_path: Path) -> None:
    """Killed after its metrics file was written but before its commit mark."""
    out = _copy(reference, tmp_path / "s")
    manifest = json.loads((out / "manifest.json").read_text())
    for table in ("metrics", "cases", "units"):
        del manifest["files"][f"{table}/p0003-r0002.parquet"]
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    assert len(load_sweep(out).metrics) == (4 * 3 - 1) * 2
    sweep(small_experiment(), out, executor="serial", resume=True, progress=False)
    assert file_digests(out) == file_digests(reference)


def test_a_damaged_manifest_is_named_and_resume_checks_every_file(
        reference: Path, tmp_path: Path) -> None:
    out = _copy(reference, tmp_path / "s")
    (out / "manifest.json").write_text('{"state": "compl')
    victim = out / "cases" / "p0003-r0001.parquet"
    victim.write_bytes(victim.read_bytes()[:200])  # and one file is damaged as well
    with pytest.raises(GovsimError, match="manifest.json .* cannot be read"):
        load_sweep(out)
    res = sweep(small_experiment(), out, executor="serial", resume=True, progress=False)
    assert res.complete and file_digests(out) == file_digests(reference)
    log = (out / "log.txt").read_text()
    assert "11 tasks had no records" in log  # read back whole and recorded, not rerun
    assert "cases/p0003-r0001.parquet" in log  # the damaged one was set aside and rerun
    assert (out / "set_aside" / "cases" / "p0003-r0001.parquet").exists()


def test_a_deleted_committed_file_is_named_on_loading(reference: Path, tmp_path: Path) -> None:
    out = _copy(reference, tmp_path / "s")
    (out / "cases" / "p0002-r0000.parquet").unlink()
    (out / "metrics" / "p0001-r0001.parquet").unlink()
    with pytest.raises(GovsimError, match="metrics/p0001-r0001.parquet"):
        load_sweep(out)
    (out / "metrics" / "p0001-r0001.parquet").write_bytes(
        (reference / "metrics" / "p0001-r0001.parquet").read_bytes())
    res = load_sweep(out)
    with pytest.raises(GovsimError, match="cases/p0002-r0000.parquet"):
        res.cases  # noqa: B018 - reading the kept table checks its files


def test_a_directory_without_records_is_checked_by_reading_on_resume(
        reference: Path, tmp_path: Path) -> None:
    """Written before records were kept (no "files" in the manifest, no journal)."""
    out = _copy(reference, tmp_path / "s")
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["files"]
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    victim = out / "metrics" / "p0000-r0002.parquet"
    victim.write_bytes(victim.read_bytes()[:50])  # unreadable: set aside, rerun
    res = sweep(small_experiment(), out, executor="serial", resume=True, progress=False)
    assert res.complete and len(res.metrics) == 4 * 3 * 2
    assert file_digests(out) == file_digests(reference)
    assert (out / "set_aside" / "metrics" / "p0000-r0002.parquet").exists()


def test_cli_resume_repairs_a_truncated_file(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """The probe: truncate a metrics file, then ``govsim sweep --resume``."""
    from _sweeps import ROOT

    exp = tmp_path / "e.toml"
    exp.write_text(f'scenario = "{(ROOT / "scenarios" / "district.toml").as_posix()}"\n'
                   'replications = 3\nhorizon_days = 2\n'
                   '[factors]\n"regimes.consolidated.accuracy" = [0.8, 0.9]\n')
    whole, out = tmp_path / "whole", tmp_path / "s"
    for d in (whole, out):
        assert main(["sweep", str(exp), "--out", str(d), "--executor", "serial"]) == 0
    victim = out / "metrics" / "p0001-r0002.parquet"
    victim.write_bytes(victim.read_bytes()[:64])
    capsys.readouterr()
    assert main(["sweep", str(exp), "--out", str(out)]) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["sweep", str(exp), "--out", str(out), "--executor", "serial", "--resume"]) == 0
    assert file_digests(out) == file_digests(whole)
    assert "metrics/p0001-r0002.parquet" in (out / "log.txt").read_text()
