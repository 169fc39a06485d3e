"""The headless-Chromium harness (tests/_chromium.py): it passes a good page and catches bad ones."""

from __future__ import annotations

import base64
import os
import signal
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._chromium import Browser, PageReport, open_page, require_chromium

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def tiny_png(width: int = 4, height: int = 3) -> bytes:
    """A valid RGB PNG of one colour, made with zlib and struct."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x20\x60\xa0" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def page(tmp_path: Path, body: str, name: str = "page.html") -> Path:
    path = tmp_path / name
    path.write_text(f"<!doctype html><html><head><meta charset='utf-8'><title>t</title></head>"
                    f"<body>{body}</body></html>", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser(require_chromium()) as shared:
        yield shared


def test_self_contained_report_renders(tmp_path: Path) -> None:
    require_chromium()
    src = "data:image/png;base64," + base64.b64encode(tiny_png()).decode()
    path = page(tmp_path, "<h1>Report</h1><table><tr><th>regime</th><th>days</th></tr>"
                f"<tr><td>fragmented</td><td>4.2</td></tr></table><img alt='bar' src='{src}'>")
    shot = tmp_path / "shot.png"
    report = open_page(path, screenshot=shot, expressions={
        "tables": "document.querySelectorAll('table').length",
        "cells": "Array.from(document.querySelectorAll('td')).map(td => td.textContent)",
        "width": "document.images[0].naturalWidth"})
    assert report.errors == [] and report.failed_loads == []
    assert report.external_requests == []
    assert report.values == {"tables": 1, "cells": ["fragmented", "4.2"], "width": 4}
    assert (report.images.total, report.images.loaded, report.images.broken) == (1, 1, [])
    assert report.screenshot == shot and shot.read_bytes().startswith(PNG_SIGNATURE)
    assert shot.stat().st_size > 1000
    with pytest.raises(RuntimeError, match="closed"):
        report.evaluate("1")  # open_page's browser is gone


def test_evaluate_while_open_and_javascript_errors(browser: Browser, tmp_path: Path) -> None:
    require_chromium()
    report = browser.open(page(tmp_path, "<p id='x'>hi</p>"))
    assert report.evaluate("document.getElementById('x').textContent") == "hi"
    assert report.evaluate("new Promise(r => setTimeout(() => r([1, {a: 2}]), 10))") == [1, {"a": 2}]
    assert report.evaluate("undefined") is None
    with pytest.raises(RuntimeError, match="nope"):
        report.evaluate("(() => { throw new Error('nope') })()")
    tabs = len(browser.send("Target.getTargets")["targetInfos"])
    report.close()
    assert len(browser.send("Target.getTargets")["targetInfos"]) == tabs - 1
    with pytest.raises(RuntimeError, match="closed"):
        report.evaluate("1")


def test_console_error_is_reported(browser: Browser, tmp_path: Path) -> None:
    require_chromium()
    report = browser.open(page(tmp_path, "<script>console.error('boom', 3)</script>"))
    assert report.console_errors == ["boom 3"] and report.errors == ["boom 3"]


def test_uncaught_exception_is_reported(browser: Browser, tmp_path: Path) -> None:
    require_chromium()
    report = browser.open(page(tmp_path, "<script>throw new TypeError('kaboom')</script>"))
    assert len(report.exceptions) == 1 and "TypeError: kaboom" in report.exceptions[0]
    assert report.console_errors == []


def test_missing_image_is_not_loaded(browser: Browser, tmp_path: Path) -> None:
    require_chromium()
    report: PageReport = browser.open(page(tmp_path, "<img src='missing.png'>"))
    assert (report.images.total, report.images.loaded) == (1, 0)
    assert report.images.broken == [(tmp_path / "missing.png").as_uri()]
    assert any("ERR_FILE_NOT_FOUND" in f for f in report.failed_loads)
    assert any("missing.png" in e for e in report.log_errors)
    assert report.external_requests == []  # file: is local


def test_external_request_is_reported(browser: Browser, tmp_path: Path) -> None:
    require_chromium()
    report = browser.open(page(tmp_path, "<img src='https://example.com/x.png'>"))
    assert report.external_requests == ["https://example.com/x.png"]
    assert report.images.loaded == 0


def test_hung_page_times_out_and_browser_still_closes(tmp_path: Path) -> None:
    require_chromium()
    with Browser(timeout=20) as hung:
        with pytest.raises(RuntimeError, match="timed out"):
            hung.open(page(tmp_path, "<script>while (true) {}</script>"), timeout=1)
        workdir = hung.workdir
    assert hung._proc.returncode is not None and not workdir.exists()


def test_dead_browser_raises_with_stderr(tmp_path: Path) -> None:
    require_chromium()
    with Browser() as doomed:
        os.kill(doomed._proc.pid, signal.SIGKILL)
        doomed._proc.wait(timeout=10)
        with pytest.raises(RuntimeError, match=r"Chromium: .*exit code -9.*stderr tail"):
            doomed.open(page(tmp_path, "<p>never</p>"))
    assert not doomed.workdir.exists()


@pytest.mark.parametrize(("require", "outcome"), [("", pytest.skip.Exception),
                                                  ("0", pytest.skip.Exception),
                                                  ("1", pytest.fail.Exception)])
def test_no_browser_skips_or_fails(monkeypatch: pytest.MonkeyPatch, require: str,
                                   outcome: type[BaseException]) -> None:
    monkeypatch.setenv("GOVSIM_CHROMIUM", "no-such-browser-here")
    monkeypatch.setenv("GOVSIM_REQUIRE_BROWSER", require)
    with pytest.raises(outcome, match="apt-get install -y --no-install-recommends chromium"):
        require_chromium()
