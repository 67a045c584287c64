#!/usr/bin/env python3
"""HTTP proxy between the shipper and the test cluster that injects `_bulk` faults.

It listens on 127.0.0.1 only (port 0 picks a free port) and forwards every request to --upstream,
a loopback URL, normally osmem-server. When ready it prints one JSON line
`{"url": "http://127.0.0.1:PORT"}` on stdout. It exits when its stdin closes (unless
--no-stdin-watch) or when the --parent-pid process ends.

Requests whose path ends in `_bulk` go through the scenario; all other requests pass unchanged.
The proxy reads each `_bulk` body whole, decompresses it when it has `Content-Encoding: gzip` to
count uncompressed bytes, actions and `_id`s, and forwards the original bytes unchanged.
Responses are decoded (gzip or deflate) only when a fault rewrites them and are then encoded again.

Scenario (JSON): {"rules": [rule, ...]}. The `_bulk` requests are numbered from 1 since the
scenario was set, and each request gets the fault of the first rule that selects it, or none.
A rule selects a request by at most one of:
  "requests": [sequence numbers]   those requests
  "every": N                       every Nth request (N, 2N, ...)
  "probability": P, "seed": S      each request with probability P, from a generator seeded with S
and with none of them every request. "limit": K stops a rule after it applied K times, and
"over_bytes": B skips requests whose uncompressed body has B bytes or fewer.
Fault kinds ("fault"):
  "status"        respond without forwarding: "status" 429, 503, 400 or 413, optional
                  "retry_after" seconds. A 413 needs "over_bytes" and selects only requests whose
                  uncompressed body is larger, so the client must split its batches.
  "reset_before"  reset the connection (TCP RST) without forwarding
  "reset_after"   forward, read the cluster's response, then reset the connection
  "delay"         wait "seconds" (at most 30) "before" forwarding (default) or "after" it
  "truncate"      forward, then send only the first "keep_bytes" bytes of the response body.
                  With "framing": "length" (default) the decoded body is cut and encoded again
                  under a matching Content-Length, so it arrives whole but is invalid JSON. With
                  "close" the headers declare the full length and the connection closes early.
  "drop_items"    forward, then remove the last "count" items (default 1) of the response
  "item_status"   forward, then rewrite chosen items to "status" 429 or 503 with an
                  `es_rejected_execution_exception` or `unavailable_shards_exception` error;
                  "items" chooses them: "all" (default), [positions from 0], {"every": N} or
                  {"first": K}. The cluster stored them, so a resend gets 409.

Control API (JSON; no authentication, loopback only):
  GET  /_proxy/scenario        the current scenario
  PUT  /_proxy/scenario        set the scenario (a body of {} or {"rules": []} passes everything)
  GET  /_proxy/stats           requests seen (control calls excluded), _bulk requests, faults
                               applied by kind ("status_429", "reset_after", ...), items
                               rewritten and dropped, _bulk actions and uncompressed bytes seen,
                               upstream errors, and 409 items in responses relayed whole
                               ("items_409_relayed")
  POST /_proxy/stats/reset     zero the stats and the request log
  GET  /_proxy/requests        the last 1000 _bulk requests: sequence number, uncompressed bytes,
                               gzip, action count, _ids, fault, upstream status, client port,
                               and the seconds since start when received and when responded
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import struct
import sys
import threading
import time
import urllib.parse
import zlib
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fault_scenario import (
    MAX_BODY_BYTES, WHOLE_ERRORS, Rule, ScenarioError, bulk_action_ids, decode, encode,
    parse_scenario, rewrite_items,
)
from server_lifetime import watch_parent, watch_stdin

HOST = "127.0.0.1"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
REQUEST_LOG_SIZE = 1000
UPSTREAM_TIMEOUT_SECONDS = 60.0
# Headers that describe one connection, not the message, so they are not forwarded.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
              "transfer-encoding", "upgrade", "expect", "host", "content-length"}


# --- state --------------------------------------------------------------------------------


@dataclass
class ProxyState:
    """The scenario, the `_bulk` sequence number and the stats, shared by all handler threads."""

    upstream: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    scenario: dict[str, Any] = field(default_factory=lambda: {"rules": []})
    rules: list[Rule] = field(default_factory=list)
    sequence: int = 0
    stats: dict[str, Any] = field(default_factory=dict)
    log: deque = field(default_factory=lambda: deque(maxlen=REQUEST_LOG_SIZE))
    started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.reset_stats()

    def reset_stats(self) -> None:
        self.stats = {"requests": 0, "bulk_requests": 0, "bulk_documents": 0, "bulk_body_bytes": 0,
                      "faults": {}, "items_rewritten": 0, "items_dropped": 0, "upstream_errors": 0,
                      "items_409_relayed": 0}
        self.log.clear()

    def set_scenario(self, document: Any) -> None:
        rules = parse_scenario(document)
        with self.lock:
            self.scenario = document
            self.rules = rules
            self.sequence = 0

    def choose_fault(self, body_bytes: int, actions: int) -> tuple[int, dict[str, Any] | None]:
        """Number the next `_bulk` request and return its sequence number and its rule, if any."""
        with self.lock:
            self.sequence += 1
            self.stats["bulk_requests"] += 1
            self.stats["bulk_documents"] += actions
            self.stats["bulk_body_bytes"] += body_bytes
            chosen = None
            for rule in self.rules:
                if rule.selects(self.sequence, body_bytes) and chosen is None:
                    chosen = rule
            if chosen is None:
                return self.sequence, None
            chosen.applied += 1
            kind = chosen.fault if chosen.fault != "status" else f"status_{chosen.spec['status']}"
            self.stats["faults"][kind] = self.stats["faults"].get(kind, 0) + 1
            return self.sequence, chosen.spec

    def clock(self) -> float:
        """Return the seconds since the proxy started, for request timing in the log."""
        return round(time.monotonic() - self.started, 3)

    def count(self, name: str, amount: int = 1) -> None:
        with self.lock:
            self.stats[name] += amount

    def record(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.log.append(entry)


# --- handler ------------------------------------------------------------------------------


@dataclass
class UpstreamResponse:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None


class ConnectionClosed(Exception):
    """Raised after the handler closed or reset the client connection, so nothing more is written."""


class FaultProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FaultProxy/1.0"

    @property
    def state(self) -> ProxyState:
        return self.server.state  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (name fixed by the base class)
        if not self.server.quiet:  # type: ignore[attr-defined]
            sys.stderr.write(f"fault-proxy: {self.address_string()} {format % args}\n")

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except ConnectionClosed:
            self.close_connection = True

    def do_GET(self) -> None:
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_GET

    def dispatch(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        body = self.read_body()
        if body is None:
            return
        if path.startswith("/_proxy/"):
            self.control(path, body)
            return
        self.state.count("requests")
        if path.rstrip("/").endswith("_bulk") and self.command in ("POST", "PUT"):
            self.bulk(body)
        else:
            self.relay(self.forward(body))

    def read_body(self) -> bytes | None:
        """Read the request body by Content-Length or chunks; past MAX_BODY_BYTES, send 413 and return None."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks, total = [], 0
            while True:
                size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024).strip():
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY_BYTES:
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
        else:
            length = int(self.headers.get("Content-Length") or 0)
            if length <= MAX_BODY_BYTES:
                return self.rfile.read(length) if length else b""
        self.close_connection = True
        self.send_json(413, {"error": f"request body larger than the proxy's limit of {MAX_BODY_BYTES} bytes"})
        return None

    # --- _bulk ---

    def bulk(self, body: bytes) -> None:
        encoding = self.headers.get("Content-Encoding")
        try:
            ndjson = decode(body, encoding)
        except (ValueError, zlib.error) as error:
            self.send_json(400, {"error": f"the fault proxy could not decode the {encoding} body: {error}"})
            return
        ids = bulk_action_ids(ndjson)
        sequence, spec = self.state.choose_fault(len(ndjson), len(ids))
        entry = {"sequence": sequence, "body_bytes": len(ndjson), "gzip": (encoding or "").lower() == "gzip",
                 "actions": len(ids), "ids": ids, "fault": spec["fault"] if spec else None, "upstream_status": None,
                 "received": self.state.clock(), "client_port": self.client_address[1]}
        self.state.record(entry)
        try:
            if spec is None:
                response = self.forward(body)
                entry["upstream_status"] = response.status
                self.count_conflicts(response)
                self.relay(response)
            else:
                self.apply(spec, body, entry)
        finally:
            entry["responded"] = self.state.clock()

    def apply(self, spec: dict[str, Any], body: bytes, entry: dict[str, Any]) -> None:
        fault = spec["fault"]
        if fault == "status":
            self.send_fault_status(spec)
            return
        if fault == "reset_before":
            self.reset()
        if fault == "delay" and spec.get("where", "before") == "before":
            time.sleep(spec["seconds"])
        response = self.forward(body)
        entry["upstream_status"] = response.status
        if fault == "reset_after":
            self.reset()
        if fault == "delay" and spec.get("where") == "after":
            time.sleep(spec["seconds"])
        if fault in ("drop_items", "item_status") and response.status == 200:
            response = self.rewritten(response, spec)
        if fault == "truncate":
            self.relay_truncated(response, spec)
            return
        if fault != "reset_after":
            self.count_conflicts(response)
        self.relay(response)

    def count_conflicts(self, response: UpstreamResponse) -> None:
        """Count the 409 items of a `_bulk` response that reaches the client whole."""
        if response.status != 200:
            return
        try:
            items = json.loads(decode(response.body, response.header("content-encoding")))["items"]
            conflicts = sum(1 for item in items for result in item.values() if result.get("status") == 409)
        except (ValueError, KeyError, TypeError, AttributeError, zlib.error):
            return
        self.state.count("items_409_relayed", conflicts)

    def rewritten(self, response: UpstreamResponse, spec: dict[str, Any]) -> UpstreamResponse:
        encoding = response.header("content-encoding")
        try:
            body, changed = rewrite_items(decode(response.body, encoding), spec)
        except (ValueError, KeyError, AttributeError, zlib.error) as error:
            sys.stderr.write(f"fault-proxy: response left unchanged, not a _bulk response: {error}\n")
            return response
        self.state.count("items_dropped" if spec["fault"] == "drop_items" else "items_rewritten", changed)
        return UpstreamResponse(response.status, response.reason, response.headers, encode(body, encoding))

    def send_fault_status(self, spec: dict[str, Any]) -> None:
        status = spec["status"]
        error_type, reason = WHOLE_ERRORS[status]
        headers = {"Retry-After": str(spec["retry_after"])} if spec.get("retry_after") is not None else {}
        self.send_json(status, {"error": {"type": error_type, "reason": reason}, "status": status}, headers)

    def relay_truncated(self, response: UpstreamResponse, spec: dict[str, Any]) -> None:
        encoding = response.header("content-encoding")
        decoded = decode(response.body, encoding)
        kept = decoded[:spec["keep_bytes"]]
        if spec.get("framing", "length") == "close":
            # The full length is declared and the connection closes after a part of the body.
            full = encode(decoded, encoding)
            self.send_head(response, len(full))
            self.wfile.write(full[:spec["keep_bytes"]])
            self.close_early()
        body = encode(kept, encoding)
        self.send_head(response, len(body))
        self.wfile.write(body)

    # --- forwarding ---

    def forward(self, body: bytes) -> UpstreamResponse:
        """Send the request to the upstream and return its whole response (a 502 when that fails)."""
        upstream = urllib.parse.urlsplit(self.state.upstream)
        headers = {name: value for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP}
        headers["Host"] = upstream.netloc
        if self.command not in ("GET", "HEAD", "DELETE") or body:
            headers["Content-Length"] = str(len(body))
        connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=UPSTREAM_TIMEOUT_SECONDS)
        try:
            connection.request(self.command, self.path, body=body or None, headers=headers)
            reply = connection.getresponse()
            data = reply.read(MAX_BODY_BYTES + 1) if self.command != "HEAD" else b""
            if len(data) > MAX_BODY_BYTES:
                raise OSError(f"upstream response larger than {MAX_BODY_BYTES} bytes")
            return UpstreamResponse(reply.status, reply.reason, reply.getheaders(), data)
        except (OSError, http.client.HTTPException) as error:
            self.state.count("upstream_errors")
            message = f"the fault proxy could not reach {self.state.upstream}: {error}"
            return UpstreamResponse(502, "Bad Gateway", [("Content-Type", "application/json")],
                                    json.dumps({"error": message}).encode("utf-8"))
        finally:
            connection.close()

    def send_head(self, response: UpstreamResponse, length: int) -> None:
        self.send_response(response.status, response.reason)
        for name, value in response.headers:
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def relay(self, response: UpstreamResponse) -> None:
        self.send_head(response, len(response.body))
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def reset(self) -> None:
        """Close the client connection with a TCP RST (SO_LINGER 0) and stop handling the request."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        raise ConnectionClosed()

    def close_early(self) -> None:
        """Close the client connection normally (FIN) before the declared body ended."""
        self.wfile.flush()
        self.connection.shutdown(socket.SHUT_WR)
        self.connection.close()
        raise ConnectionClosed()

    # --- control API ---

    def control(self, path: str, body: bytes) -> None:
        state = self.state
        route = (self.command, path.rstrip("/"))
        if route == ("GET", "/_proxy/scenario"):
            self.send_json(200, state.scenario)
        elif route in (("PUT", "/_proxy/scenario"), ("POST", "/_proxy/scenario")):
            try:
                document = json.loads(body or b"{}")
                state.set_scenario(document)
            except (ValueError, ScenarioError) as error:
                self.send_json(400, {"error": f"invalid scenario: {error}"})
                return
            self.send_json(200, {"rules": len(state.rules)})
        elif route == ("GET", "/_proxy/stats"):
            with state.lock:
                self.send_json(200, json.loads(json.dumps(state.stats)))
        elif route == ("POST", "/_proxy/stats/reset"):
            with state.lock:
                state.reset_stats()
            self.send_json(200, {"reset": True})
        elif route == ("GET", "/_proxy/requests"):
            with state.lock:
                entries = [dict(entry) for entry in state.log]
            self.send_json(200, {"requests": entries})
        else:
            self.send_json(404, {"error": f"no control endpoint {self.command} {path}"})


# --- process ------------------------------------------------------------------------------


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Forward requests to a loopback cluster and inject _bulk faults.")
    parser.add_argument("--upstream", required=True, help="cluster base URL on loopback, such as http://127.0.0.1:9200")
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1; 0 picks a free port (default)")
    parser.add_argument("--scenario", default="{}", help="initial scenario as JSON (default: no faults)")
    parser.add_argument("--parent-pid", type=int, help="exit when this process ends")
    parser.add_argument("--no-stdin-watch", action="store_true", help="do not exit when stdin closes")
    parser.add_argument("--quiet", action="store_true", help="do not log each request to stderr")
    arguments = parser.parse_args(argv)
    upstream = urllib.parse.urlsplit(arguments.upstream)
    if upstream.scheme != "http" or upstream.hostname not in LOOPBACK_HOSTS or upstream.port is None:
        parser.error(f"--upstream must be http://127.0.0.1:PORT (loopback, with a port), not {arguments.upstream}")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    state = ProxyState(upstream=arguments.upstream.rstrip("/"))
    try:
        state.set_scenario(json.loads(arguments.scenario))
    except (ValueError, ScenarioError) as error:
        raise SystemExit(f"fault-proxy: invalid --scenario: {error}") from None

    server = ThreadingHTTPServer((HOST, arguments.port), FaultProxyHandler)
    server.daemon_threads = True
    server.state = state  # type: ignore[attr-defined]
    server.quiet = arguments.quiet  # type: ignore[attr-defined]
    url = f"http://{HOST}:{server.server_address[1]}"

    if not arguments.no_stdin_watch:
        threading.Thread(target=watch_stdin, args=(server,), daemon=True).start()
    if arguments.parent_pid is not None:
        threading.Thread(target=watch_parent, args=(server, arguments.parent_pid), daemon=True).start()

    sys.stderr.write(f"fault-proxy: forwarding {url} to {state.upstream}\n")
    print(json.dumps({"url": url}), flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    sys.stderr.write("fault-proxy: stopped\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
