"""A loopback HTTP proxy in front of osmem-server that can play a cluster outage.

While the outage is on, every `_bulk` and template request gets HTTP 503 with an OpenSearch-style
error body, after its request body was read so the connection stays usable. Every other request,
including the `GET /` probe, and every request while the outage is off, is forwarded to the
cluster and its response returned unchanged apart from the hop-by-hop headers.
"""

from __future__ import annotations

import http.client
import json
import threading
import urllib.parse
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "host", "proxy-connection", "te",
                      "trailer", "upgrade", "content-length", "expect"}
OUTAGE_PATH_MARKERS = ("_bulk", "_index_template", "_component_template", "_template")
OUTAGE_BODY = json.dumps({
    "error": {
        "root_cause": [{"type": "cluster_block_exception",
                        "reason": "blocked by: [SERVICE_UNAVAILABLE/2/no cluster-manager];"}],
        "type": "cluster_block_exception",
        "reason": "blocked by: [SERVICE_UNAVAILABLE/2/no cluster-manager];",
    },
    "status": 503,
}).encode("utf-8")


class OutageProxy(ThreadingHTTPServer):
    """The proxy server: `outage` switches the 503 responses on and off, `counts` tallies responses
    by request kind and status."""

    daemon_threads = True

    def __init__(self, upstream_url: str) -> None:
        super().__init__(("127.0.0.1", 0), OutageProxyHandler)
        parts = urllib.parse.urlsplit(upstream_url)
        if parts.hostname not in ("127.0.0.1", "localhost") or parts.port is None:
            raise ValueError(f"the proxy forwards to loopback only, not to {upstream_url}")
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port
        self.outage = threading.Event()
        self.counts: Counter[str] = Counter()
        self.counts_lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def record(self, key: str) -> None:
        with self.counts_lock:
            self.counts[key] += 1

    def snapshot(self) -> dict[str, int]:
        with self.counts_lock:
            return dict(self.counts)


class OutageProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: OutageProxy

    def do_GET(self) -> None:
        self.handle_any()

    def do_HEAD(self) -> None:
        self.handle_any()

    def do_POST(self) -> None:
        self.handle_any()

    def do_PUT(self) -> None:
        self.handle_any()

    def do_DELETE(self) -> None:
        self.handle_any()

    def handle_any(self) -> None:
        body = self.read_body()
        path = urllib.parse.urlsplit(self.path).path
        kind = "other"
        if "_bulk" in path:
            kind = "bulk"
        elif "template" in path:
            kind = "template"
        if self.server.outage.is_set() and any(marker in path for marker in OUTAGE_PATH_MARKERS):
            self.server.record(f"{kind}.503")
            self.send_reply(503, [("Content-Type", "application/json; charset=UTF-8")], OUTAGE_BODY)
            return
        status, headers, reply = self.forward(body)
        self.server.record(f"{kind}.{status}")
        self.send_reply(status, headers, reply)

    def read_body(self) -> bytes:
        """Read a Content-Length or chunked request body; an absent one reads as empty."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(self.server.upstream_host, self.server.upstream_port, timeout=60)
        try:
            headers = {name: value for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP_HEADERS}
            connection.request(self.command, self.path, body=body if body or self.command != "GET" else None,
                               headers=headers)
            response = connection.getresponse()
            reply = response.read()
            reply_headers = [(name, value) for name, value in response.getheaders() if name.lower() not in HOP_BY_HOP_HEADERS]
            return response.status, reply_headers, reply
        except OSError as error:
            message = json.dumps({"error": f"proxy could not reach the cluster: {error}"}).encode("utf-8")
            return 502, [("Content-Type", "application/json")], message
        finally:
            connection.close()

    def send_reply(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # The counts stand in for an access log, which would flood the run's output.


def start_outage_proxy(upstream_url: str) -> OutageProxy:
    """Start the proxy on a free loopback port in a daemon thread; call `shutdown()` to stop it."""
    proxy = OutageProxy(upstream_url)
    threading.Thread(target=proxy.serve_forever, kwargs={"poll_interval": 0.2},
                     name="outage-proxy", daemon=True).start()
    return proxy
