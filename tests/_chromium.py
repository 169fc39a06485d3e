"""Headless Chromium for tests: open a self-contained HTML file (or a page served on this
machine, ``http://127.0.0.1:PORT/``) and report how it rendered.

Dependency-free: Chromium is driven over the DevTools protocol on a pipe
(``--remote-debugging-pipe``: commands in on fd 3, replies out on fd 4, each a NUL-terminated
JSON message), with flattened sessions. Use ``open_page`` for one page, or share a browser::

    with Browser() as browser:
        page = browser.open(path, screenshot=tmp_path / "shot.png")
        assert not page.errors and page.evaluate("document.title") == "Report"
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import queue
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

INSTALL_HINT = "install it with `apt-get install -y --no-install-recommends chromium` or set GOVSIM_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
LOCAL_SCHEMES = ("file", "data", "blob", "about")  # anything else is an external request...
LOCAL_ORIGINS = ("http://127.0.0.1:", "http://localhost:")  # ...but a server on this machine
_SETTLED = ("location.href !== 'about:blank' && document.readyState === 'complete'"
            " && Array.from(document.images).every(i => i.complete)")
_IMAGES = ("Array.from(document.images).map(i => ({src: i.currentSrc || i.src,"
           " loaded: i.complete && i.naturalWidth > 0}))")


def find_chromium() -> str | None:
    """The browser: ``$GOVSIM_CHROMIUM`` if set, else the first of CANDIDATES on PATH."""
    override = os.environ.get("GOVSIM_CHROMIUM")
    if override:
        return shutil.which(override)
    return next((p for p in map(shutil.which, CANDIDATES) if p), None)


def require_chromium() -> str:
    """The browser's path; skips the test without one (fails if $GOVSIM_REQUIRE_BROWSER is set)."""
    path = find_chromium()
    if path is None:
        message = f"no Chromium found ({' / '.join(CANDIDATES)}); {INSTALL_HINT}"
        if os.environ.get("GOVSIM_REQUIRE_BROWSER", "") not in ("", "0"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@dataclass
class ImageFacts:
    """The page's ``<img>`` elements: how many, how many loaded, and the sources that did not."""

    total: int
    loaded: int
    broken: list[str]


@dataclass
class PageReport:
    """What one page did. ``evaluate`` works for as long as its Browser is open."""

    url: str
    console_errors: list[str] = field(default_factory=list)  # console.error / console.assert
    exceptions: list[str] = field(default_factory=list)  # uncaught, with their stack
    log_errors: list[str] = field(default_factory=list)  # Log.entryAdded at level error
    external_requests: list[str] = field(default_factory=list)  # URLs not in LOCAL_SCHEMES
    failed_loads: list[str] = field(default_factory=list)  # "url: net::ERR_..."
    images: ImageFacts = field(default_factory=lambda: ImageFacts(0, 0, []))
    values: dict[str, Any] = field(default_factory=dict)  # the expressions asked for by name
    screenshot: Path | None = None
    _browser: Browser | None = field(default=None, repr=False, compare=False)
    _session: str = field(default="", repr=False, compare=False)
    _target: str = field(default="", repr=False, compare=False)

    @property
    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries together."""
        return self.console_errors + self.exceptions + self.log_errors

    def evaluate(self, expression: str, timeout: float | None = None) -> Any:
        """The JSON value of a JavaScript expression in the page (promises are awaited)."""
        if self._browser is None:
            raise RuntimeError("the page's browser is closed")
        return self._browser.evaluate(self._session, expression,
                                      time.monotonic() + (timeout or self._browser.timeout))

    def wait_for(self, expression: str, timeout: float = 30.0, poll: float = 0.1) -> Any:
        """Evaluate ``expression`` until it is truthy and return that value; a ``TimeoutError``
        after ``timeout`` seconds (for pages that change after loading)."""
        deadline = time.monotonic() + timeout
        while not (value := self.evaluate(expression)):
            if time.monotonic() > deadline:
                raise TimeoutError(f"still false after {timeout:g} s: {expression}")
            time.sleep(poll)
        return value

    def refresh(self) -> PageReport:
        """Add the errors and requests seen since the page loaded to this report's lists
        (they are re-read from the start, so nothing is counted twice)."""
        if self._browser is None:
            raise RuntimeError("the page's browser is closed")
        self.evaluate("0")  # a round trip: earlier events have arrived
        for name in ("console_errors", "exceptions", "log_errors", "external_requests",
                     "failed_loads"):
            getattr(self, name).clear()
        self._browser._collect(self)
        return self

    def screenshot_to(self, path: Path, height: float | None = None) -> Path:
        """Save the page as it is now (its top ``height`` CSS pixels, default all of it) as a
        PNG at ``path``."""
        if self._browser is None:
            raise RuntimeError("the page's browser is closed")
        self._browser._shoot(self._session, path, time.monotonic() + self._browser.timeout,
                             height)
        return path

    def close(self) -> None:
        """Close the page's tab (the report's lists stay); ``evaluate`` no longer works."""
        if self._browser is not None and not self._browser.closed:
            self._browser.send("Target.closeTarget", {"targetId": self._target})
            self._browser.wait_event("Target.detachedFromTarget", sessionId=self._session)
            self._browser._events.pop(self._session, None)
        self._browser = None


class Browser:
    """One headless Chromium, launched on construction; close it (or use it as a context manager)."""

    def __init__(self, executable: str | None = None, timeout: float = 60.0,
                 window_size: tuple[int, int] = (1280, 2000)) -> None:
        executable = executable or require_chromium()
        self.timeout = timeout
        self.workdir = Path(tempfile.mkdtemp(prefix="govsim-chromium-"))
        self._events: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        self._messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._next_id, self._stop, self.closed = 0, threading.Event(), False
        self._stderr = open(self.workdir / "stderr.log", "wb")  # noqa: SIM115 (closed in close())
        cmd_r, cmd_w = os.pipe()
        res_r, res_w = os.pipe()

        def child_fds() -> None:  # in the child: our pipe ends become fds 3 and 4
            high_r, high_w = fcntl.fcntl(cmd_r, fcntl.F_DUPFD, 10), fcntl.fcntl(res_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--remote-debugging-pipe",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",  # no DNS
                 f"--user-data-dir={self.workdir / 'profile'}", "--window-size={},{}".format(*window_size)]
        try:
            self._proc = subprocess.Popen(
                [executable, *flags, "about:blank"], stdin=subprocess.DEVNULL,
                stdout=self._stderr, stderr=self._stderr, pass_fds=(3, 4), preexec_fn=child_fds,
                start_new_session=True)
        except BaseException:
            for fd in (cmd_r, cmd_w, res_r, res_w):
                os.close(fd)
            self._stderr.close()
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise
        os.close(cmd_r)
        os.close(res_w)
        self._wfd, self._rfd = cmd_w, res_r
        self._reader = threading.Thread(target=self._read, name="chromium-reader", daemon=True)
        self._reader.start()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read(self) -> None:
        """Reader thread: split fd 4 on NULs into messages; None when the pipe ends."""
        buf = bytearray()
        try:
            while not self._stop.is_set():
                if not select.select([self._rfd], [], [], 0.2)[0]:
                    continue
                chunk = os.read(self._rfd, 1 << 16)
                if not chunk:
                    break
                while (end := chunk.find(b"\0")) >= 0:
                    buf += chunk[:end]
                    self._messages.put(json.loads(buf))
                    buf, chunk = bytearray(), chunk[end + 1:]
                buf += chunk
        except (OSError, ValueError):
            pass
        finally:
            self._messages.put(None)

    def _failure(self, reason: str) -> RuntimeError:
        log = (self.workdir / "stderr.log").read_bytes()[-3000:].decode(errors="replace")
        return RuntimeError(f"Chromium: {reason} (exit code {self._proc.poll()}); stderr tail:\n{log}")

    def _next(self, deadline: float) -> dict[str, Any]:
        """The next message, filing events by session; raises when the browser died or is late."""
        try:
            message = self._messages.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise self._failure("timed out") from None
        if message is None:
            self._messages.put(None)  # every later call fails the same way
            raise self._failure("the DevTools pipe closed")
        if "method" in message:
            self._events[message.get("sessionId", "")].append(message)
        return message

    def send(self, method: str, params: dict[str, Any] | None = None, session: str = "",
             deadline: float | None = None) -> dict[str, Any]:
        """Send one DevTools command (to a page's session if given) and return its result."""
        if self.closed:
            raise RuntimeError("the browser is closed")
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self._wfd, data):]
        except OSError as exc:
            raise self._failure(f"cannot send {method}: {exc}") from exc
        deadline = deadline if deadline is not None else time.monotonic() + self.timeout
        while (reply := self._next(deadline)).get("id") != message["id"]:
            pass
        if "error" in reply:
            raise RuntimeError(f"Chromium: {method} failed: {reply['error'].get('message')}")
        return reply.get("result", {})

    def wait_event(self, method: str, session: str = "", deadline: float | None = None,
                   **params: Any) -> dict[str, Any]:
        """The first event ``method`` (of a session, with these params) received so far or next."""
        deadline = deadline if deadline is not None else time.monotonic() + self.timeout
        while True:
            for event in self._events[session]:
                if event["method"] == method and params.items() <= event.get("params", {}).items():
                    return event
            self._next(deadline)

    def evaluate(self, session: str, expression: str, deadline: float | None = None) -> Any:
        """Runtime.evaluate by value, awaiting promises; a JavaScript exception raises."""
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True}, session, deadline)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise RuntimeError(f"JavaScript error in {expression!r}: "
                               f"{details.get('exception', {}).get('description') or details.get('text')}")
        return result["result"].get("value")

    def open(self, path: Path | str, screenshot: Path | None = None, timeout: float | None = None,
             expressions: dict[str, str] | None = None, settle: float = 5.0) -> PageReport:
        """Load ``path`` in a new tab, wait for load (and up to ``settle`` s for images), report."""
        deadline = time.monotonic() + (timeout or self.timeout)
        url = str(path) if str(path).startswith(LOCAL_ORIGINS) else Path(path).resolve().as_uri()
        target = self.send("Target.createTarget", {"url": "about:blank"}, deadline=deadline)
        sid = self.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True},
                        deadline=deadline)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=sid, deadline=deadline)
        self._events[sid].clear()
        navigation = self.send("Page.navigate", {"url": url}, sid, deadline)
        if navigation.get("errorText"):
            raise RuntimeError(f"Chromium: cannot open {url}: {navigation['errorText']}")
        self.wait_event("Page.loadEventFired", session=sid, deadline=deadline)
        report = PageReport(url, screenshot=screenshot, _browser=self, _session=sid,
                            _target=target["targetId"])
        settled = min(deadline, time.monotonic() + settle)
        while not self.evaluate(sid, _SETTLED, deadline) and time.monotonic() < settled:
            time.sleep(0.05)
        if screenshot is not None:
            self._shoot(sid, screenshot, deadline)
        report.values = {name: self.evaluate(sid, js, deadline) for name, js in (expressions or {}).items()}
        images = self.evaluate(sid, _IMAGES, deadline)  # a round trip: earlier events have arrived
        report.images = ImageFacts(len(images), sum(i["loaded"] for i in images),
                                   [i["src"] for i in images if not i["loaded"]])
        self._collect(report)
        return report

    def _shoot(self, sid: str, screenshot: Path, deadline: float,
               height: float | None = None) -> None:
        """Save the page of session ``sid`` (its top ``height`` pixels, or all) as a PNG."""
        size = self.send("Page.getLayoutMetrics", session=sid, deadline=deadline)["cssContentSize"]
        tall = size["height"] if height is None else min(height, size["height"])
        clip = {"x": 0, "y": 0, "width": max(1, size["width"]), "height": max(1, tall),
                "scale": 1}
        shot = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                    "clip": clip}, sid, deadline)
        Path(screenshot).write_bytes(base64.b64decode(shot["data"]))

    def _collect(self, report: PageReport) -> None:
        """Fill the report's error and network lists from its session's events."""
        urls: dict[str, str] = {}
        for event in self._events[report._session]:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                report.console_errors.append(" ".join(
                    str(a.get("value", a.get("description", a.get("type")))) for a in params["args"]))
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                report.exceptions.append(details.get("exception", {}).get("description")
                                         or details.get("text", ""))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                entry = params["entry"]
                report.log_errors.append(f"{entry['text']} ({entry.get('url', '')})")
            elif method == "Network.requestWillBeSent":
                url = urls[params["requestId"]] = params["request"]["url"]
                if url.split(":", 1)[0].lower() not in LOCAL_SCHEMES \
                        and not url.startswith(LOCAL_ORIGINS):
                    report.external_requests.append(url)
            elif method == "Network.loadingFailed":
                report.failed_loads.append(f"{urls.get(params['requestId'], '?')}: {params['errorText']}")

    def close(self) -> None:
        """Browser.close, then wait, then kill; stop the reader and remove the profile."""
        if self.closed:
            return
        if self._proc.poll() is None:
            with contextlib.suppress(RuntimeError):
                self.send("Browser.close", deadline=time.monotonic() + 5)
        self.closed = True
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # still unreaped, so its process group is still ours
            os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait(timeout=10)
        self._stop.set()
        self._reader.join(timeout=5)
        os.close(self._wfd)
        os.close(self._rfd)
        self._stderr.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


def open_page(path: Path | str, screenshot: Path | None = None, timeout: float = 60,
              expressions: dict[str, str] | None = None) -> PageReport:
    """Open one page in a browser of its own and report it (its ``evaluate`` is then closed)."""
    with Browser(timeout=timeout) as browser:
        report = browser.open(path, screenshot, timeout, expressions)
    report._browser = None
    return report
