"""The classroom page's web server: the standard library's ``http.server`` on 127.0.0.1.

Layer: interfaces. :class:`Classroom` holds one scenario (its horizon chosen for the page,
:func:`~govsim.classroom.lesson.run_size`) and answers the page's two questions: the controls
of each regime (``GET /api/setup?lang=en``) and the results for a position of them
(``POST /api/run`` with ``{"regime", "values", "lang", "seq"}``). Runs take turns (one lock);
a request overtaken by a newer one while it waited answers ``{"stale": true}`` without
running, so a class dragging a slider waits for one run, not for every position it passed.
:func:`serve` binds the server (a port in use is a :class:`~govsim.errors.GovsimError` at
``port``) and serves until interrupted.
"""

from __future__ import annotations

import errno
import json
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from govsim.classroom.controls import Control, changes_from, controls_for
from govsim.classroom.lesson import lesson, run_size
from govsim.classroom.page import page_html
from govsim.errors import GovsimError, shown
from govsim.lang import LANGS
from govsim.scenario import Scenario, display_names
from govsim.scenario.edit import with_overrides

__all__ = ["Classroom", "serve", "HOST"]

#: how many pages' newest requests are remembered (older pages' requests are never stale)
_PAGES = 256

HOST = "127.0.0.1"
_KEPT = 32  # results kept for positions seen before


class Classroom:
    """One scenario as the page shows it; thread-safe (runs take turns).

    Example::

        >>> import govsim
        >>> room = Classroom(govsim.load_scenario("shanghai_leak"), replications=3)
        >>> [r["key"] for r in room.setup("en")["regimes"]]
        ['fragmented', 'consolidated']
    """

    def __init__(self, scenario: Scenario, replications: int | None = None,
                 horizon_days: int | None = None, seed: int = 0) -> None:
        self.written_horizon = scenario.world.horizon_days
        self.replications, days = run_size(scenario, replications, horizon_days)
        self.scenario = with_overrides(scenario, horizon_days=days) \
            if days != self.written_horizon else scenario
        self.seed = seed
        self._lock = threading.Lock()  # one run at a time
        self._seen = threading.Lock()  # for _latest, which a waiting request must reach
        self._latest: dict[str, int] = {}  # each page's (client's) newest request
        self._results: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._drawn: dict[str, dict[Any, Any]] = {}
        self._controls: dict[tuple[str, str], list[Control]] = {}

    def controls(self, regime: str, lang: str) -> list[Control]:
        """The controls of ``regime`` labelled in ``lang`` (worked out once)."""
        if (regime, lang) not in self._controls:
            self._controls[regime, lang] = controls_for(self.scenario, regime, lang)
        return self._controls[regime, lang]

    def setup(self, lang: str) -> dict[str, Any]:
        """The scenario's regimes and each regime's controls, labelled in ``lang``."""
        lang = self._lang(lang)
        names = display_names(self.scenario, lang)
        return {"scenario": self.scenario.name, "description": names.description,
                "lang": lang, "replications": self.replications, "seed": self.seed,
                "horizon_days": self.scenario.world.horizon_days,
                "written_horizon_days": self.written_horizon,
                "regimes": [{"key": k, "label": (r.label_zh or r.label or k) if lang == "zh"
                             else (r.label or k)} for k, r in self.scenario.regimes.items()],
                "controls": {r: [c.as_json() for c in self.controls(r, lang)]
                             for r in self.scenario.regimes}}

    @staticmethod
    def _lang(lang: Any) -> str:
        if lang not in LANGS:
            raise GovsimError(f"must be one of {', '.join(LANGS)}, got {shown(lang)}", "lang")
        return str(lang)

    def run(self, request: Any) -> dict[str, Any]:
        """The results for ``request`` (``regime``, ``values``, ``lang``, ``seq``: the page's
        count of its requests, ``client``: the page's own id, so two open pages do not
        overtake each other); ``{"seq": n, "stale": true}`` when a newer request of the same
        page came in while this one waited its turn. A bad request is a
        :class:`GovsimError`."""
        if not isinstance(request, dict):
            raise GovsimError(f"must be a JSON object, got {shown(request)}", "request")
        seq, client = request.get("seq", 0), request.get("client", "")
        if isinstance(seq, bool) or not isinstance(seq, int):
            raise GovsimError(f"must be a whole number, got {shown(seq)}", "seq")
        if not isinstance(client, str) or len(client) > 64:
            raise GovsimError(f"must be a short string, got {shown(client)}", "client")
        lang = self._lang(request.get("lang", "en"))
        regime = self.scenario.check_regime(request.get("regime"))
        values = request.get("values", {})
        controls = self.controls(regime, lang)
        changes = changes_from(controls, values)  # checked before waiting
        with self._seen:
            self._latest[client] = max(self._latest.pop(client, 0), seq)  # now the newest
            while len(self._latest) > _PAGES:  # the pages heard from last are kept
                del self._latest[next(iter(self._latest))]
        with self._lock:
            if seq < self._latest.get(client, seq):
                return {"seq": seq, "stale": True}
            key = json.dumps([regime, lang, sorted(changes.items())], default=str)
            if key in self._results:
                self._results.move_to_end(key)
                return {**self._results[key], "seq": seq, "cached": True}
            out = lesson(self.scenario, regime, values, lang, replications=self.replications,
                         seed=self.seed, cache=self._drawn.setdefault(regime, {}),
                         controls=controls)
            self._results[key] = out
            while len(self._results) > _KEPT:
                self._results.popitem(last=False)
            return {**out, "seq": seq, "cached": False}


def _handler(room: Classroom, lang: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "govsim-classroom"

        def log_message(self, format: str, *args: Any) -> None:  # quiet: the page is the log
            pass

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, value: Any) -> None:
            self._send(status, json.dumps(value, ensure_ascii=False).encode(),
                       "application/json; charset=utf-8")

        def _local(self) -> bool:
            """Whether the request names this machine (a page elsewhere that had a name
            resolve to 127.0.0.1 -- DNS rebinding -- is refused) and, if it says where it
            comes from, comes from this page (a page of another site may not run
            simulations here)."""
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
            origin = self.headers.get("Origin")
            port = self.server.server_address[1]
            if host in ("127.0.0.1", "localhost") and (
                    origin is None or origin in (f"http://127.0.0.1:{port}",
                                                 f"http://localhost:{port}")):
                return True
            self._send(403, b"only this page, from 127.0.0.1, may ask", "text/plain")
            return False

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if not self._local():
                return
            if url.path == "/":
                self._send(200, page_html(lang).encode(), "text/html; charset=utf-8")
            elif url.path == "/api/setup":
                asked = parse_qs(url.query).get("lang", [lang])[0]
                try:
                    self._json(200, room.setup(asked))
                except GovsimError as exc:
                    self._json(400, {"error": str(exc)})
            elif url.path == "/favicon.ico":
                self._send(204, b"", "image/x-icon")
            else:
                self._send(404, b"not found", "text/plain")

        def do_POST(self) -> None:
            if not self._local():
                return
            if urlsplit(self.path).path != "/api/run":
                self._send(404, b"not found", "text/plain")
                return
            try:
                kind = (self.headers.get("Content-Type") or "").split(";")[0].strip()
                if kind != "application/json":
                    raise GovsimError("must be sent as application/json", "request")
                try:
                    size = int(self.headers.get("Content-Length", "0"))
                except ValueError:
                    raise GovsimError("has a Content-Length that is no number",
                                      "request") from None
                if not 0 <= size <= 1 << 16:
                    raise GovsimError("the request is too large", "request")
                try:
                    request = json.loads(self.rfile.read(size) or b"{}")
                except ValueError:
                    raise GovsimError("is not JSON", "request") from None
                self._json(200, room.run(request))
            except GovsimError as exc:
                self._json(400, {"error": str(exc)})
            except Exception as exc:  # a failure of the run itself: said, and the server lives
                self._json(500, {"error": f"the run failed: {type(exc).__name__}: {exc}"})

    return Handler


def serve(room: Classroom, port: int = 8012, lang: str = "en",
          ready: Callable[[str], None] | None = None) -> None:
    """Serve ``room`` on ``http://127.0.0.1:port/`` (``port`` 0: any free port) until
    interrupted (Ctrl+C); ``ready(url)`` is called once it listens. A port in use, or one
    this user may not bind, is a :class:`GovsimError` at ``port``.

    Example::

        serve(Classroom(govsim.load_scenario("shanghai_leak")), 8012,
              ready=lambda url: print("open", url))
    """
    try:
        server = ThreadingHTTPServer((HOST, port), _handler(room, lang))
    except OSError as exc:
        reason = "is in use" if exc.errno == errno.EADDRINUSE else \
            f"cannot be opened ({exc.strerror or exc})"
        raise GovsimError(f"port {port} on {HOST} {reason}: choose another with --port "
                          "(or --port 0 for any free one)", "port") from None
    server.daemon_threads = True
    url = f"http://{HOST}:{server.server_address[1]}/"
    try:
        if ready is not None:
            ready(url)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("govsim classroom: stopped", file=sys.stderr)
    finally:
        server.server_close()
