"""A local HTTP server that replays files, recorded API responses and scripted faults.

Bound to 127.0.0.1 on a random port, served from a daemon thread. It serves:

- files under `directory`, with ETag/Last-Modified, conditional requests (`If-None-Match`,
  `If-Modified-Since`: 304) and `Range` requests (206 + Content-Range, `If-Range` honoured);
- routes registered with `route(path, handler)`: `handler(query) -> (status, headers, body)`, where
  `query` is `urllib.parse.parse_qs` output and `body` is bytes, str, or anything JSON-serialisable
  (sent as application/json), so API clients can be replayed from recorded responses;
- scripted faults: `script(path, [...])` queues `Fault`s played one per request, in order; once
  the queue is empty the path is served normally;
- publishers' shapes: `sciencebase_item(item_id, names)` answers a ScienceBase item's
  `?format=json&fields=files` JSON listing files of `directory` (see `sciencebase.py`).

Every request is recorded (method, path, query, lower-cased headers) in `requests`.

    @pytest.fixture
    def server(tmp_path):
        with ReplayServer(tmp_path) as srv:
            yield srv

    def test_retry(server):
        server.script("/a.csv", [Fault.status(429, retry_after="1"), Fault.truncate(10)])
        ...  # fetch server.url("/a.csv")
        assert server.requests_for("/a.csv")[-1].headers["range"] == "bytes=10-"
"""

import hashlib
import json
import re
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

Handler = Callable[[dict[str, list[str]]], tuple[int, dict[str, str], Any]]


@dataclass(frozen=True)
class Fault:
    """One scripted response. Build with the class methods, not the constructor."""

    kind: str  # "status" | "delay" | "truncate" | "trickle" | "ok"
    code: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    seconds: float = 0.0
    n_bytes: int = 0

    @classmethod
    def status(
        cls,
        code: int,
        *,
        retry_after: str | None = None,
        body: bytes = b"",
        content_type: str | None = None,
    ) -> Self:
        """Answer with `code` (and `Retry-After` if given) instead of the real response."""
        headers = (("Retry-After", retry_after),) if retry_after is not None else ()
        if content_type:
            headers += (("Content-Type", content_type),)
        return cls("status", code=code, headers=headers, body=body or f"fault {code}".encode())

    @classmethod
    def html_page(cls, text: str = "Service temporarily unavailable") -> Self:
        """A 200 HTML page instead of the file, as a CDN or maintenance page answers."""
        body = f"<!DOCTYPE html><html><body><h1>{text}</h1></body></html>".encode()
        return cls.status(200, body=body, content_type="text/html; charset=utf-8")

    @classmethod
    def trickle(cls, seconds_per_byte: float) -> Self:
        """Answer normally but send the body one byte every `seconds_per_byte` (never stalls
        long enough for a read timeout)."""
        return cls("trickle", seconds=seconds_per_byte)

    @classmethod
    def delay(cls, seconds: float) -> Self:
        """Wait `seconds` before answering normally (cut short when the server stops)."""
        return cls("delay", seconds=seconds)

    @classmethod
    def truncate(cls, n_bytes: int) -> Self:
        """Announce the full Content-Length, send only `n_bytes` of the body, then close."""
        return cls("truncate", n_bytes=n_bytes)

    @classmethod
    def ok(cls) -> Self:
        """Answer normally (useful to interleave good responses in a script)."""
        return cls("ok")


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # keys lower-cased


class ReplayServer:
    def __init__(self, directory: Path | str | None = None):
        self.directory = Path(directory).resolve() if directory is not None else None
        self.requests: list[RecordedRequest] = []
        self._routes: dict[str, Handler] = {}
        self._faults: dict[str, deque[Fault]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _RequestHandler)
        self._httpd.replay = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def route(self, path: str, handler: Handler) -> None:
        self._routes[path] = handler

    def script(self, path: str, faults: Iterable[Fault]) -> None:
        with self._lock:
            self._faults.setdefault(path, deque()).extend(faults)

    def sciencebase_item(self, item_id: str, names: Iterable[str]) -> None:
        """Answer `/catalog/item/<item_id>` like ScienceBase (`?format=json&fields=files`): each
        name is a file of `directory`, linked through `downloadUri`."""

        def handler(query: dict[str, list[str]]):
            assert query.get("format") == ["json"] and query.get("fields") == ["files"], query
            assert self.directory is not None
            files = [
                {
                    "name": name,
                    "title": "",
                    "contentType": "text/csv",
                    "size": (self.directory / name).stat().st_size,
                    "url": self.url(f"/catalog/file/get/{item_id}?name={name}"),
                    "downloadUri": self.url(name),
                }
                for name in names
            ]
            return 200, {}, {"id": item_id, "files": files}

        self.route(f"/catalog/item/{item_id}", handler)

    def requests_for(self, path: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # ends pending delays so no handler outlives the test
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _next_fault(self, path: str) -> Fault:
        with self._lock:
            queue = self._faults.get(path)
            return queue.popleft() if queue else Fault.ok()

    def _respond(self, path: str, query: dict, headers: Any) -> tuple[int, dict[str, str], bytes]:
        if path in self._routes:
            status, extra, body = self._routes[path](query)
            extra = dict(extra)
            if not isinstance(body, bytes | str):
                body = json.dumps(body)
                extra.setdefault("Content-Type", "application/json")
            return status, extra, body.encode() if isinstance(body, str) else body
        file = (self.directory / path.lstrip("/")).resolve() if self.directory else None
        if file is None or not file.is_relative_to(self.directory) or not file.is_file():
            return 404, {"Content-Type": "text/plain"}, b"not found"
        data = file.read_bytes()
        base = {
            "Content-Type": "application/octet-stream",
            "ETag": f'"{hashlib.md5(data).hexdigest()}"',
            "Last-Modified": formatdate(file.stat().st_mtime, usegmt=True),
            "Accept-Ranges": "bytes",
        }
        if_none_match = headers.get("If-None-Match")
        if_modified_since = headers.get("If-Modified-Since")
        if (if_none_match and if_none_match == base["ETag"]) or (
            not if_none_match and if_modified_since == base["Last-Modified"]
        ):
            return 304, {k: base[k] for k in ("ETag", "Last-Modified")}, b""
        wanted = re.fullmatch(r"bytes=(\d+)-(\d*)", headers.get("Range", "").strip())
        if_range = headers.get("If-Range")
        if not wanted or (if_range and if_range not in (base["ETag"], base["Last-Modified"])):
            return 200, base, data
        start = int(wanted[1])
        end = min(int(wanted[2]) if wanted[2] else len(data) - 1, len(data) - 1)
        if start >= len(data):
            return 416, {"Content-Range": f"bytes */{len(data)}"}, b""
        base["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
        return 206, base, data[start : end + 1]


class _Server(ThreadingHTTPServer):
    replay: ReplayServer

    def handle_error(self, request, client_address):
        # A client that gave up (timeout tests) makes our late write fail: expected, stay quiet.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like real servers
    # Headers and body go out as two writes; with Nagle on each response waits ~40 ms for the
    # client's delayed ACK, and API tests make hundreds of requests.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean; requests are recorded instead

    def do_GET(self) -> None:
        replay = self.server.replay
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        headers = {k.lower(): v for k, v in self.headers.items()}
        with replay._lock:
            replay.requests.append(RecordedRequest("GET", parts.path, query, headers))
        fault = replay._next_fault(parts.path)
        if fault.kind == "status":
            self._send(fault.code, dict(fault.headers), fault.body)
            return
        if fault.kind == "delay" and replay._stopping.wait(fault.seconds):
            self.close_connection = True
            return
        status, extra, body = replay._respond(parts.path, query, self.headers)
        if fault.kind == "trickle":
            self._send(status, extra, body, trickle_s=fault.seconds)
            return
        self._send(status, extra, body, fault.n_bytes if fault.kind == "truncate" else None)

    def _send(
        self,
        status: int,
        headers: dict,
        body: bytes,
        limit: int | None = None,
        trickle_s: float | None = None,
    ) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if trickle_s is not None:
            for i in range(len(body)):
                if self.server.replay._stopping.wait(trickle_s):
                    break
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body if limit is None else body[:limit])
        if limit is not None:
            self.close_connection = True  # the client sees a body shorter than announced
