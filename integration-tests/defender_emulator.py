#!/usr/bin/env python3
"""Emulator of the Microsoft Defender for Endpoint alerts API and its Entra ID token endpoints.

It listens on 127.0.0.1 only (port 0 picks a free port), prints one JSON line
`{"url": "http://127.0.0.1:PORT"}` on stdout when ready, and exits when its stdin closes
(unless --no-stdin-watch) or when the --parent-pid process ends.

Entra ID (client credentials):
  POST /{tenant}/oauth2/v2.0/token   form: grant_type, client_id, client_secret, scope={api}/.default
  POST /{tenant}/oauth2/token        form: grant_type, client_id, client_secret, resource={api}
  Errors use the Entra body (error, error_description starting with the AADSTS code,
  error_codes, timestamp, trace_id, correlation_id, error_uri): 90002 unknown tenant (400),
  700016 unknown client id (400), 7000215 wrong secret (401), 7000222 expired secret (401, when
  switched on), 7000216 missing secret, 900144 missing parameter, 70003 unsupported grant type,
  1002012 scope without /.default. A token is JWT-shaped: its payload contains aud, tid, appid,
  roles, iat, nbf and exp, and its signature is random bytes. v1 sends numbers as strings.

Defender API (Bearer token required):
  GET /api/alerts?$filter=...&$top=N&$skip=K&$expand=evidence
  GET /api/alerts/{id}
  $filter: `lastUpdateTime` or `alertCreationTime` with eq, ge, gt, le, lt, joined by `and`,
  with unquoted literals ending in Z and 0 to 7 fractional digits, compared as 100 ns ticks.
  $top is 0 to 10000. Without $top a page holds --page-size rows and, when more rows remain,
  the body carries an `@odata.nextLink`; with $top it never does. Rows are ordered by `id`.
  Without $expand=evidence each alert's `evidence` is `[]` (alerts in the legacy shape, which
  have no `evidence` key, are sent as stored). Bodies are gzip or deflate encoded when the
  request's Accept-Encoding allows it. A missing, unknown or expired token gets 401; a token
  without the Alert.Read.All or Alert.ReadWrite.All role gets 403. Each (client id, tenant) pair
  may make --rate-limit-per-minute and --rate-limit-per-hour calls in sliding windows; further
  calls get 429 with Retry-After in whole seconds and do not count toward the limit.

Control API for tests (JSON bodies; no authentication, loopback only):
  GET  /_emulator/stats          calls per endpoint, responses per status, tokens issued,
                                 429s sent, max /api/alerts calls in any 60 s, rows returned
  POST /_emulator/stats/reset    zero the stats and the request log
  GET  /_emulator/requests       the last 10000 /api/alerts requests: path, query, status, rows
  GET  /_emulator/config         the settings below
  POST /_emulator/config         change any of: token_lifetime (seconds), expired_secret (bool),
                                 roles (list), rate_limit_per_minute, rate_limit_per_hour,
                                 page_size; applies to later requests and tokens
  POST /_emulator/faults         {"status": 429|403|500|502|503|504, "count": N,
                                  "retry_after": seconds or null, "delay_seconds": 0..30}:
                                 the next N authenticated /api/alerts calls get this answer
  GET  /_emulator/faults         pending faults; DELETE removes them all
  POST /_emulator/tokens/expire  make every issued token expired now
  GET  /_emulator/alerts         {"value": [every stored alert, ordered by id]}
  POST /_emulator/alerts         {"alerts": [alert, ...]} adds or replaces alerts by id (a missing
                                 lastUpdateTime is set to now), or {"generate": N,
                                 "span_seconds": S, "newest_age_seconds": A} adds N generated
                                 alerts; returns {"ids": [...]}
  POST /_emulator/alerts/update  {"ids": [...], "set": {field: value}, "lastUpdateTime": "..."}
                                 applies `set` and moves lastUpdateTime of all listed alerts to
                                 one shared value: the given one, or now on the 1/300 s grid
                                 (always later than the alert's previous value)

Sample alerts come from --samples (default: <repo>/../shared/samples/defender) and keep their
2019 to 2023 timestamps unless --shift-samples-hours H spreads their lastUpdateTime values over
the H hours before now (less --newest-age-seconds), so a client with a 24 h lookback finds them.
"""

from __future__ import annotations

import argparse
import base64
import bisect
import gzip
import json
import math
import os
import secrets
import sys
import threading
import time
import urllib.parse
import uuid
import zlib
from collections import deque
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import defender_alerts
from defender_alerts import Alert, FilterError

HOST = "127.0.0.1"
MAX_TOP = 10_000
MAX_BODY_BYTES = 64 * 1024 * 1024
MAX_FAULT_DELAY_SECONDS = 30.0
REQUEST_LOG_SIZE = 10_000
READ_ROLES = ("Alert.Read.All", "Alert.ReadWrite.All")
FAULT_STATUSES = (403, 429, 500, 502, 503, 504)
DEFAULT_SAMPLES = Path(__file__).resolve().parent.parent.parent / "shared" / "samples" / "defender"


@dataclass
class EmulatorConfig:
    """Settings that the command line sets and the control API can change."""

    tenant_id: str = "00000000-0000-0000-0000-00000000c0de"
    client_id: str = "11111111-1111-1111-1111-111111111111"
    client_secret: str = "emulator-secret-value"
    token_lifetime: int = 3599
    expired_secret: bool = False
    roles: list[str] = field(default_factory=lambda: ["Alert.Read.All"])
    rate_limit_per_minute: int = 100
    rate_limit_per_hour: int = 1500
    page_size: int = MAX_TOP


@dataclass
class IssuedToken:
    client_id: str
    tenant_id: str
    roles: list[str]
    expires_at: float  # time.monotonic() seconds


@dataclass
class Fault:
    status: int
    count: int
    retry_after: int | None
    delay_seconds: float


def new_stats() -> dict[str, Any]:
    return {
        "calls": {},
        "responses": {},
        "tokens_issued": 0,
        "token_errors": {},
        "responses_429": 0,
        "faults_sent": 0,
        "max_alert_calls_in_60s": 0,
        "alerts_returned": 0,
    }


class EmulatorState:
    """All mutable state of one emulator, guarded by one lock."""

    def __init__(self, config: EmulatorConfig, alerts: list[Alert], generator: defender_alerts.AlertGenerator):
        self.lock = threading.Lock()
        self.config = config
        self.generator = generator
        self.alerts: dict[str, Alert] = {}
        # Parsed date fields per alert id, so a $filter does not parse every timestamp on every call.
        self.alert_ticks: dict[str, dict[str, int | None]] = {}
        self.sorted_ids: list[str] | None = None
        self.tokens: dict[str, IssuedToken] = {}
        self.faults: deque[Fault] = deque()
        self.stats = new_stats()
        self.request_log: deque[dict[str, Any]] = deque(maxlen=REQUEST_LOG_SIZE)
        # Monotonic times of accepted /api/alerts calls per (client id, tenant), last hour only.
        self.rate_windows: dict[tuple[str, str], list[float]] = {}
        # Monotonic times of all /api/alerts requests in the last 60 s, for the stats maximum.
        self.recent_alert_calls: deque[float] = deque()
        for alert in alerts:
            self.put_alert(alert)

    def put_alert(self, alert: Alert) -> None:
        self.alerts[alert["id"]] = alert
        self.alert_ticks[alert["id"]] = defender_alerts.filterable_ticks(alert)
        self.sorted_ids = None

    def alerts_by_id(self) -> list[Alert]:
        return [self.alerts[alert_id] for alert_id in self.ids_in_order()]

    def matching_alerts(self, conditions: list[defender_alerts.Condition]) -> list[Alert]:
        """Return the alerts that satisfy every condition, ordered by id."""
        return [self.alerts[alert_id] for alert_id in self.ids_in_order()
                if defender_alerts.ticks_match(self.alert_ticks[alert_id], conditions)]

    def ids_in_order(self) -> list[str]:
        if self.sorted_ids is None:
            self.sorted_ids = sorted(self.alerts)
        return self.sorted_ids

    def count_call(self, endpoint: str) -> None:
        calls = self.stats["calls"]
        calls[endpoint] = calls.get(endpoint, 0) + 1

    def count_response(self, endpoint: str, status: int) -> None:
        by_status = self.stats["responses"].setdefault(endpoint, {})
        by_status[str(status)] = by_status.get(str(status), 0) + 1
        if status == 429:
            self.stats["responses_429"] += 1

    def record_alert_call_time(self, now: float) -> None:
        window = self.recent_alert_calls
        window.append(now)
        while window and window[0] <= now - 60.0:
            window.popleft()
        self.stats["max_alert_calls_in_60s"] = max(self.stats["max_alert_calls_in_60s"], len(window))

    def take_rate_limit_slot(self, key: tuple[str, str], now: float) -> int | None:
        """Record a call for `key` and return None, or return the Retry-After seconds when over a limit."""
        times = self.rate_windows.setdefault(key, [])
        del times[: bisect.bisect_right(times, now - 3600.0)]
        minute_start = bisect.bisect_right(times, now - 60.0)
        calls_last_minute = len(times) - minute_start
        if calls_last_minute >= self.config.rate_limit_per_minute:
            return max(1, math.ceil(times[minute_start] + 60.0 - now))
        if len(times) >= self.config.rate_limit_per_hour:
            return max(1, math.ceil(times[0] + 3600.0 - now))
        times.append(now)
        return None


# --- helpers ------------------------------------------------------------------------------


def base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_jwt(payload: dict[str, Any]) -> str:
    """Build a JWT-shaped token. The signature is random bytes: nothing verifies it."""
    header = {"typ": "JWT", "alg": "RS256", "kid": "defender-emulator"}
    return ".".join((
        base64url(json.dumps(header, separators=(",", ":")).encode()),
        base64url(json.dumps(payload, separators=(",", ":")).encode()),
        base64url(secrets.token_bytes(64)),
    ))


def now_ticks() -> int:
    return defender_alerts.ticks_from_unix_ns(time.time_ns())


def defender_error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "target": str(uuid.uuid4())}}


def error_summary(body: Any) -> str:
    """Return the code and message of a Defender, Entra or control API error body for the log."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return f"{error.get('code')}: {error.get('message')}"
    description = body.get("error_description") if isinstance(body, dict) else None
    if isinstance(description, str):
        return description.split("\r\n", 1)[0]
    return str(error)


def choose_content_encoding(accept_encoding: str | None) -> str | None:
    """Pick gzip, else deflate, when the Accept-Encoding header allows it (q above 0)."""
    if not accept_encoding:
        return None
    allowed = set()
    for item in accept_encoding.split(","):
        name, _, params = item.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        if quality > 0:
            allowed.add(name.strip().lower())
    for encoding in ("gzip", "deflate"):
        if encoding in allowed:
            return encoding
    return None


# --- request handling ---------------------------------------------------------------------


class EmulatorHandler(BaseHTTPRequestHandler):
    """Routes one request. The server object carries `state`, `base_url` and `quiet`."""

    protocol_version = "HTTP/1.1"
    server_version = "DefenderEmulator/1.0"

    @property
    def state(self) -> EmulatorState:
        return self.server.state  # type: ignore[attr-defined]

    @property
    def base_url(self) -> str:
        return self.server.base_url  # type: ignore[attr-defined]

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # With --quiet only error responses are logged.
        if self.server.quiet and isinstance(code, int) and code < 400:  # type: ignore[attr-defined]
            return
        super().log_request(code, size)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (name fixed by the base class)
        sys.stderr.write(f"defender-emulator: {self.address_string()} {format % args}\n")

    # Routing.

    def do_GET(self) -> None:
        self.route("GET")

    def do_POST(self) -> None:
        self.route("POST")

    def do_DELETE(self) -> None:
        self.route("DELETE")

    def route(self, method: str) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        segments = [urllib.parse.unquote(part) for part in parsed.path.split("/") if part]
        try:
            body = self.read_body()
        except ValueError as error:
            self.send_json(HTTPStatus.BAD_REQUEST, {"error": str(error)})
            return

        if len(segments) >= 2 and segments[0] == "api" and segments[1] == "alerts" and len(segments) <= 3:
            if method != "GET":
                self.send_json(HTTPStatus.METHOD_NOT_ALLOWED, defender_error("MethodNotAllowed", "Use GET."))
                return
            alert_id = segments[2] if len(segments) == 3 else None
            self.handle_alerts(parsed.query, alert_id)
        elif len(segments) == 4 and segments[1:] == ["oauth2", "v2.0", "token"]:
            self.handle_token(method, segments[0], body, version=2)
        elif len(segments) == 3 and segments[1:] == ["oauth2", "token"]:
            self.handle_token(method, segments[0], body, version=1)
        elif segments and segments[0] == "_emulator":
            self.handle_control(method, segments[1:], body)
        else:
            self.send_json(HTTPStatus.NOT_FOUND, defender_error("ResourceNotFound", f"No route for {parsed.path}."))

    def read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raise ValueError("chunked request bodies are not supported; send Content-Length")
        length_text = self.headers.get("Content-Length") or "0"
        try:
            length = int(length_text)
        except ValueError:
            raise ValueError(f"invalid Content-Length {length_text!r}") from None
        if length < 0 or length > MAX_BODY_BYTES:
            raise ValueError(f"Content-Length {length} is outside 0 to {MAX_BODY_BYTES}")
        return self.rfile.read(length) if length else b""

    # Responses.

    def send_bytes(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        encoding = choose_content_encoding(self.headers.get("Accept-Encoding"))
        if encoding == "gzip" and body:
            body = gzip.compress(body, compresslevel=5)
        elif encoding == "deflate" and body:
            body = zlib.compress(body, 5)
        else:
            encoding = None
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_header("Vary", "Accept-Encoding")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if status >= 400:
            self.log_message("%s %s: %s", self.command, urllib.parse.urlsplit(self.path).path, error_summary(body))
        self.send_bytes(status, data, "application/json; charset=utf-8", headers)

    # Entra ID token endpoints.

    def handle_token(self, method: str, tenant: str, body: bytes, version: int) -> None:
        endpoint = f"token_v{version}"
        with self.state.lock:
            self.state.count_call(endpoint)
        if method != "POST":
            self.send_token_error(endpoint, 400, "invalid_request", 900561, "The token endpoint only accepts POST requests.")
            return
        form = dict(urllib.parse.parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
        with self.state.lock:
            config = EmulatorConfig(**asdict(self.state.config))

        if tenant.lower() != config.tenant_id.lower():
            self.send_token_error(endpoint, 400, "invalid_request", 90002,
                                  f"Tenant '{tenant}' not found. Check the tenant id and the cloud.")
            return
        if form.get("grant_type") != "client_credentials":
            self.send_token_error(endpoint, 400, "unsupported_grant_type", 70003,
                                  f"The grant type '{form.get('grant_type', '')}' is not supported here.")
            return
        client_id = form.get("client_id", "")
        if not client_id:
            self.send_token_error(endpoint, 400, "invalid_request", 900144,
                                  "The request body must contain the parameter 'client_id'.")
            return
        if client_id.lower() != config.client_id.lower():
            self.send_token_error(endpoint, 400, "unauthorized_client", 700016,
                                  f"Application with identifier '{client_id}' was not found in the directory '{tenant}'.")
            return
        secret = form.get("client_secret", "")
        if not secret:
            self.send_token_error(endpoint, 401, "invalid_client", 7000216,
                                  "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.")
            return
        if secret != config.client_secret:
            self.send_token_error(endpoint, 401, "invalid_client", 7000215,
                                  f"Invalid client secret provided. Send the secret's value, not its ID, for app '{client_id}'.")
            return
        if config.expired_secret:
            self.send_token_error(endpoint, 401, "invalid_client", 7000222,
                                  f"The client secret keys of app '{client_id}' are expired.")
            return

        if version == 2:
            scope = form.get("scope", "")
            if not scope:
                self.send_token_error(endpoint, 400, "invalid_request", 900144,
                                      "The request body must contain the parameter 'scope'.")
                return
            if not scope.endswith("/.default") or " " in scope.strip():
                self.send_token_error(endpoint, 400, "invalid_scope", 1002012,
                                      f"The scope '{scope}' is not valid: the client credentials flow needs one scope ending in /.default.")
                return
            audience = scope[: -len("/.default")]
        else:
            audience = form.get("resource", "")
            if not audience:
                self.send_token_error(endpoint, 400, "invalid_request", 900144,
                                      "The request body must contain the parameter 'resource'.")
                return

        self.issue_token(endpoint, config, client_id, audience, version)

    def issue_token(self, endpoint: str, config: EmulatorConfig, client_id: str, audience: str, version: int) -> None:
        issued_at = int(time.time())
        lifetime = config.token_lifetime
        payload = {
            "aud": audience,
            "iss": f"https://sts.windows.net/{config.tenant_id}/",
            "iat": issued_at,
            "nbf": issued_at,
            "exp": issued_at + lifetime,
            "appid": client_id,
            "tid": config.tenant_id,
            "roles": list(config.roles),
            "oid": str(uuid.uuid4()),
            "jti": secrets.token_hex(8),
            "ver": "1.0",
        }
        token = make_jwt(payload)
        with self.state.lock:
            self.state.tokens[token] = IssuedToken(
                client_id=client_id,
                tenant_id=config.tenant_id,
                roles=list(config.roles),
                expires_at=time.monotonic() + lifetime,
            )
            self.state.stats["tokens_issued"] += 1
            self.state.count_response(endpoint, 200)

        if version == 2:
            body: dict[str, Any] = {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime,
                                    "access_token": token}
        else:
            # The v1 endpoint sends every number as a string.
            body = {"token_type": "Bearer", "expires_in": str(lifetime), "ext_expires_in": str(lifetime),
                    "expires_on": str(issued_at + lifetime), "not_before": str(issued_at),
                    "resource": audience, "access_token": token}
        self.send_json(HTTPStatus.OK, body, {"Cache-Control": "no-store", "Pragma": "no-cache"})

    def send_token_error(self, endpoint: str, status: int, error: str, code: int, message: str) -> None:
        trace_id = str(uuid.uuid4())
        correlation_id = str(uuid.uuid4())
        timestamp = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
        body = {
            "error": error,
            "error_description": (f"AADSTS{code}: {message}\r\nTrace ID: {trace_id}\r\n"
                                  f"Correlation ID: {correlation_id}\r\nTimestamp: {timestamp}"),
            "error_codes": [code],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": f"{self.base_url}/error?code={code}",
        }
        with self.state.lock:
            errors = self.state.stats["token_errors"]
            errors[str(code)] = errors.get(str(code), 0) + 1
            self.state.count_response(endpoint, status)
        self.send_json(status, body)

    # Defender alerts.

    def handle_alerts(self, query: str, alert_id: str | None) -> None:
        endpoint = "alert" if alert_id is not None else "alerts"
        now = time.monotonic()
        with self.state.lock:
            self.state.count_call(endpoint)
            self.state.record_alert_call_time(now)

        token = self.check_token(endpoint, now)
        if token is None:
            return

        with self.state.lock:
            fault = self.state.faults[0] if self.state.faults else None
            if fault is not None:
                fault.count -= 1
                if fault.count <= 0:
                    self.state.faults.popleft()
                self.state.stats["faults_sent"] += 1
        if fault is not None:
            self.send_fault(endpoint, query, fault)
            return

        with self.state.lock:
            retry_after = self.state.take_rate_limit_slot((token.client_id.lower(), token.tenant_id.lower()), now)
        if retry_after is not None:
            self.send_alert_error(endpoint, query, 429, "TooManyRequests",
                                  "Rate limit of the application in this tenant was reached. Honour Retry-After.",
                                  {"Retry-After": str(retry_after)})
            return

        try:
            options = parse_alert_query(query)
        except FilterError as error:
            self.send_alert_error(endpoint, query, 400, "ODataError", str(error))
            return

        if alert_id is not None:
            self.send_single_alert(endpoint, query, alert_id, options)
        else:
            self.send_alert_page(endpoint, query, options)

    def check_token(self, endpoint: str, now: float) -> IssuedToken | None:
        """Return the request's valid token, or send 401 or 403 and return None."""
        header = self.headers.get("Authorization") or ""
        scheme, _, token_text = header.partition(" ")
        if scheme.lower() != "bearer" or not token_text.strip():
            self.send_unauthorized(endpoint, "The Authorization header with a Bearer token is missing.")
            return None
        with self.state.lock:
            token = self.state.tokens.get(token_text.strip())
        if token is None:
            self.send_unauthorized(endpoint, "The access token is invalid.")
            return None
        if token.expires_at <= now:
            self.send_unauthorized(endpoint, "The access token has expired.")
            return None
        if not any(role in token.roles for role in READ_ROLES):
            self.send_alert_error(endpoint, "", 403, "Forbidden",
                                  "The application lacks the Alert.Read.All application permission of WindowsDefenderATP.")
            return None
        return token

    def send_unauthorized(self, endpoint: str, message: str) -> None:
        self.send_alert_error(endpoint, "", 401, "Unauthorized", message,
                              {"WWW-Authenticate": 'Bearer error="invalid_token"'})

    def send_fault(self, endpoint: str, query: str, fault: Fault) -> None:
        if fault.delay_seconds > 0:
            time.sleep(fault.delay_seconds)
        headers = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = str(fault.retry_after)
        if fault.status in (502, 504):
            # Gateways in front of the API send these with an HTML body, not JSON.
            html = f"<html><body><h1>{fault.status} {HTTPStatus(fault.status).phrase}</h1></body></html>".encode()
            self.log_alert_request(endpoint, query, fault.status, 0)
            self.send_bytes(fault.status, html, "text/html", headers)
            return
        codes = {403: "Forbidden", 429: "TooManyRequests", 500: "InternalServerError", 503: "ServiceUnavailable"}
        self.send_alert_error(endpoint, query, fault.status, codes[fault.status],
                              f"Injected fault: {HTTPStatus(fault.status).phrase}.", headers)

    def send_alert_error(self, endpoint: str, query: str, status: int, code: str, message: str,
                         headers: dict[str, str] | None = None) -> None:
        self.log_alert_request(endpoint, query, status, 0)
        self.send_json(status, defender_error(code, message), headers)

    def log_alert_request(self, endpoint: str, query: str, status: int, rows: int) -> None:
        with self.state.lock:
            self.state.count_response(endpoint, status)
            self.state.stats["alerts_returned"] += rows
            self.state.request_log.append({
                "path": urllib.parse.urlsplit(self.path).path,
                "query": dict(urllib.parse.parse_qsl(query, keep_blank_values=True)),
                "status": status,
                "rows": rows,
            })

    def send_single_alert(self, endpoint: str, query: str, alert_id: str, options: AlertQuery) -> None:
        with self.state.lock:
            alert = self.state.alerts.get(alert_id)
        if alert is None:
            self.send_alert_error(endpoint, query, 404, "ResourceNotFound", f"Alert {alert_id} was not found.")
            return
        body = {"@odata.context": f"{self.base_url}/api/$metadata#Alerts/$entity",
                **present_alert(alert, options.expand_evidence)}
        self.log_alert_request(endpoint, query, 200, 1)
        self.send_json(HTTPStatus.OK, body)

    def send_alert_page(self, endpoint: str, query: str, options: AlertQuery) -> None:
        with self.state.lock:
            matching = self.state.matching_alerts(options.conditions)
            page_size = self.state.config.page_size
        limit = options.top if options.top is not None else page_size
        rows = matching[options.skip: options.skip + limit]
        body: dict[str, Any] = {
            "@odata.context": f"{self.base_url}/api/$metadata#Alerts",
            "value": [present_alert(alert, options.expand_evidence) for alert in rows],
        }
        if options.top is None and options.skip + limit < len(matching):
            body["@odata.nextLink"] = self.next_link(query, options.skip + limit)
        self.log_alert_request(endpoint, query, 200, len(rows))
        self.send_json(HTTPStatus.OK, body)

    def next_link(self, query: str, skip: int) -> str:
        pairs = [(key, value) for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True)
                 if key != "$skip"]
        pairs.append(("$skip", str(skip)))
        return f"{self.base_url}/api/alerts?" + urllib.parse.urlencode(pairs, safe="$:", quote_via=urllib.parse.quote)

    # Control API.

    def handle_control(self, method: str, path: list[str], body: bytes) -> None:
        try:
            request = json.loads(body) if body else {}
        except json.JSONDecodeError as error:
            self.send_json(HTTPStatus.BAD_REQUEST, {"error": f"invalid JSON body: {error}"})
            return
        if not isinstance(request, dict):
            self.send_json(HTTPStatus.BAD_REQUEST, {"error": "the JSON body must be an object"})
            return
        route = (method, "/".join(path))
        handler = CONTROL_ROUTES.get(route)
        if handler is None:
            self.send_json(HTTPStatus.NOT_FOUND, {"error": f"no control route {method} /_emulator/{'/'.join(path)}"})
            return
        try:
            status, response = handler(self.state, request)
        except ControlError as error:
            self.send_json(error.status, {"error": str(error)})
            return
        self.send_json(status, response)


# --- query options ------------------------------------------------------------------------


@dataclass
class AlertQuery:
    conditions: list[defender_alerts.Condition]
    top: int | None
    skip: int
    expand_evidence: bool


SUPPORTED_QUERY_OPTIONS = ("$filter", "$top", "$skip", "$expand")


def parse_alert_query(query: str) -> AlertQuery:
    """Parse the OData query options of /api/alerts, raising FilterError for any invalid one."""
    options: dict[str, str] = {}
    for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
        if key.startswith("$") and key not in SUPPORTED_QUERY_OPTIONS:
            raise FilterError(f"The query option '{key}' is not supported.")
        if key in options:
            raise FilterError(f"The query option '{key}' was given more than once.")
        options[key] = value

    conditions = defender_alerts.parse_filter(options["$filter"]) if "$filter" in options else []
    top = parse_count(options, "$top")
    if top is not None and top > MAX_TOP:
        raise FilterError(f"The value of $top must be at most {MAX_TOP}, not {top}.")
    skip = parse_count(options, "$skip") or 0
    expand = options.get("$expand")
    if expand is not None and expand.strip().lower() != "evidence":
        raise FilterError(f"Cannot expand '{expand}': only 'evidence' can be expanded.")
    return AlertQuery(conditions=conditions, top=top, skip=skip, expand_evidence=expand is not None)


def parse_count(options: dict[str, str], name: str) -> int | None:
    if name not in options:
        return None
    text = options[name].strip()
    if not text.isdigit():
        raise FilterError(f"The value of {name} must be a non-negative integer, not '{options[name]}'.")
    return int(text)


def present_alert(alert: Alert, expand_evidence: bool) -> Alert:
    if expand_evidence or "evidence" not in alert:
        return alert
    return {**alert, "evidence": []}


# --- control routes -----------------------------------------------------------------------


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def require_int(request: dict[str, Any], key: str, minimum: int, maximum: int | None = None) -> int:
    value = request[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum or (maximum is not None and value > maximum):
        bounds = f"{minimum} to {maximum}" if maximum is not None else f"at least {minimum}"
        raise ControlError(400, f"{key} must be an integer {bounds}, not {value!r}")
    return value


def control_get_stats(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    with state.lock:
        return 200, json.loads(json.dumps(state.stats))


def control_reset_stats(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    with state.lock:
        state.stats = new_stats()
        state.request_log.clear()
        state.recent_alert_calls.clear()
        return 200, state.stats


def control_get_requests(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    with state.lock:
        return 200, {"requests": list(state.request_log)}


def control_get_config(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    with state.lock:
        config = asdict(state.config)
    config.pop("client_secret")
    return 200, config


def control_set_config(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    changes: dict[str, Any] = {}
    for key, value in request.items():
        if key == "token_lifetime":
            changes[key] = require_int(request, key, 0)
        elif key in ("rate_limit_per_minute", "rate_limit_per_hour"):
            changes[key] = require_int(request, key, 1)
        elif key == "page_size":
            changes[key] = require_int(request, key, 1, MAX_TOP)
        elif key == "expired_secret":
            if not isinstance(value, bool):
                raise ControlError(400, f"expired_secret must be true or false, not {value!r}")
            changes[key] = value
        elif key == "roles":
            if not isinstance(value, list) or not all(isinstance(role, str) for role in value):
                raise ControlError(400, f"roles must be a list of strings, not {value!r}")
            changes[key] = list(value)
        else:
            raise ControlError(400, f"unknown setting {key!r}")
    with state.lock:
        for key, value in changes.items():
            setattr(state.config, key, value)
    return control_get_config(state, {})


def control_add_fault(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    status = request.get("status")
    if status not in FAULT_STATUSES:
        raise ControlError(400, f"status must be one of {list(FAULT_STATUSES)}, not {status!r}")
    count = require_int(request, "count", 1) if "count" in request else 1
    retry_after = request.get("retry_after", 1 if status == 429 else None)
    if retry_after is not None:
        retry_after = require_int(request, "retry_after", 0)
    delay = request.get("delay_seconds", 0)
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not 0 <= delay <= MAX_FAULT_DELAY_SECONDS:
        raise ControlError(400, f"delay_seconds must be a number from 0 to {MAX_FAULT_DELAY_SECONDS}, not {delay!r}")
    with state.lock:
        state.faults.append(Fault(status=status, count=count, retry_after=retry_after, delay_seconds=float(delay)))
    return control_get_faults(state, {})


def control_get_faults(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    with state.lock:
        return 200, {"faults": [asdict(fault) for fault in state.faults]}


def control_clear_faults(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    with state.lock:
        state.faults.clear()
    return 200, {"faults": []}


def control_expire_tokens(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    now = time.monotonic()
    with state.lock:
        for token in state.tokens.values():
            token.expires_at = min(token.expires_at, now)
        return 200, {"expired": len(state.tokens)}


def control_get_alerts(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    with state.lock:
        return 200, {"value": state.alerts_by_id()}


def control_add_alerts(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    if "generate" in request:
        count = require_int(request, "generate", 0, 1_000_000)
        span_seconds = require_int(request, "span_seconds", 0) if "span_seconds" in request else 60
        newest_age = require_int(request, "newest_age_seconds", 0) if "newest_age_seconds" in request else 0
        end_ticks = now_ticks() - newest_age * defender_alerts.TICKS_PER_SECOND
        with state.lock:
            alerts = state.generator.generate(count, end_ticks, span_seconds)
            for alert in alerts:
                state.put_alert(alert)
        return 200, {"ids": [alert["id"] for alert in alerts]}

    alerts = request.get("alerts")
    if not isinstance(alerts, list) or not all(isinstance(alert, dict) and isinstance(alert.get("id"), str)
                                                for alert in alerts):
        raise ControlError(400, "send {\"alerts\": [alert, ...]} with a string id in every alert, or {\"generate\": N}")
    stamp = defender_alerts.format_ticks(defender_alerts.snap_to_update_grid(now_ticks()))
    with state.lock:
        for alert in alerts:
            alert = dict(alert)
            alert.setdefault("lastUpdateTime", stamp)
            state.put_alert(alert)
    return 200, {"ids": [alert["id"] for alert in alerts]}


def control_update_alerts(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    ids = request.get("ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(alert_id, str) for alert_id in ids):
        raise ControlError(400, "ids must be a non-empty list of alert ids")
    changes = request.get("set", {})
    if not isinstance(changes, dict):
        raise ControlError(400, "set must be an object of field names and values")
    requested_time = request.get("lastUpdateTime")
    if requested_time is not None:
        try:
            defender_alerts.parse_ticks(requested_time)
        except (TypeError, ValueError) as error:
            raise ControlError(400, f"lastUpdateTime is invalid: {error}") from None

    with state.lock:
        missing = [alert_id for alert_id in ids if alert_id not in state.alerts]
        if missing:
            raise ControlError(404, f"alerts not found: {missing}")
        new_time = requested_time
        if new_time is None:
            # One shared value later than every listed alert's previous value.
            stamp_ticks = defender_alerts.snap_to_update_grid(now_ticks())
            for alert_id in ids:
                previous = defender_alerts.last_update_ticks(state.alerts[alert_id])
                if previous is not None and previous >= stamp_ticks:
                    stamp_ticks = defender_alerts.grid_step_after(previous)
            new_time = defender_alerts.format_ticks(stamp_ticks)
        for alert_id in ids:
            state.put_alert({**state.alerts[alert_id], **changes, "lastUpdateTime": new_time})
    return 200, {"ids": ids, "lastUpdateTime": new_time}


CONTROL_ROUTES = {
    ("GET", "stats"): control_get_stats,
    ("POST", "stats/reset"): control_reset_stats,
    ("GET", "requests"): control_get_requests,
    ("GET", "config"): control_get_config,
    ("POST", "config"): control_set_config,
    ("GET", "faults"): control_get_faults,
    ("POST", "faults"): control_add_fault,
    ("DELETE", "faults"): control_clear_faults,
    ("POST", "tokens/expire"): control_expire_tokens,
    ("GET", "alerts"): control_get_alerts,
    ("POST", "alerts"): control_add_alerts,
    ("POST", "alerts/update"): control_update_alerts,
}


# --- startup ------------------------------------------------------------------------------


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    defaults = EmulatorConfig()
    parser = argparse.ArgumentParser(
        description="Emulate the Defender for Endpoint alerts API and Entra ID tokens on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0,
                        help="TCP port on 127.0.0.1; 0 picks a free port (default)")

    identity = parser.add_argument_group("Entra ID")
    identity.add_argument("--tenant-id", default=defaults.tenant_id,
                          help="the only tenant that gets tokens")
    identity.add_argument("--client-id", default=defaults.client_id,
                          help="the only application (client) id that gets tokens")
    identity.add_argument("--client-secret", default=defaults.client_secret,
                          help="the client secret that the application must send")
    identity.add_argument("--token-lifetime", type=int, default=defaults.token_lifetime,
                          help="token lifetime in seconds (default 3599)")
    identity.add_argument("--expired-secret", action="store_true",
                          help="reject the correct secret with AADSTS7000222 (expired secret)")
    identity.add_argument("--roles", default=",".join(defaults.roles),
                          help="comma-separated roles put into tokens (default Alert.Read.All)")

    api = parser.add_argument_group("alerts API")
    api.add_argument("--rate-limit-per-minute", type=int, default=defaults.rate_limit_per_minute,
                     help="alert calls per minute per (client id, tenant) (default 100)")
    api.add_argument("--rate-limit-per-hour", type=int, default=defaults.rate_limit_per_hour,
                     help="alert calls per hour per (client id, tenant) (default 1500)")
    api.add_argument("--page-size", type=int, default=defaults.page_size,
                     help="rows per page when the request has no $top (default 10000)")

    data = parser.add_argument_group("alerts")
    data.add_argument("--samples", type=Path, default=DEFAULT_SAMPLES,
                      help=f"folder of sample responses (default {DEFAULT_SAMPLES})")
    data.add_argument("--no-samples", action="store_true", help="start without the sample alerts")
    data.add_argument("--shift-samples-hours", type=float, default=0.0,
                      help="spread the samples' lastUpdateTime values over this many hours before now, "
                           "keeping their order (default 0: keep the original timestamps)")
    data.add_argument("--generate", type=int, default=0, help="number of generated alerts to add (default 0)")
    data.add_argument("--seed", type=int, default=1, help="seed of the alert generator (default 1)")
    data.add_argument("--generate-hours", type=float, default=20.0,
                      help="hours over which generated lastUpdateTime values spread (default 20)")
    data.add_argument("--newest-age-seconds", type=int, default=120,
                      help="age in seconds of the newest shifted or generated lastUpdateTime "
                           "(default 120, beyond a 60 s polling lag)")
    data.add_argument("--now",
                      help="reference time for shifted and generated timestamps, YYYY-MM-DDTHH:MM:SSZ "
                           "(default: the current time)")

    lifecycle = parser.add_argument_group("process")
    lifecycle.add_argument("--parent-pid", type=int, help="exit when this process ends")
    lifecycle.add_argument("--no-stdin-watch", action="store_true", help="do not exit when stdin closes")
    lifecycle.add_argument("--quiet", action="store_true", help="log only error responses to stderr")

    arguments = parser.parse_args(argv)
    if arguments.generate < 0:
        parser.error(f"--generate must be 0 or more, not {arguments.generate}")
    if not 1 <= arguments.page_size <= MAX_TOP:
        parser.error(f"--page-size must be from 1 to {MAX_TOP}, not {arguments.page_size}")
    if arguments.rate_limit_per_minute < 1 or arguments.rate_limit_per_hour < 1:
        parser.error("--rate-limit-per-minute and --rate-limit-per-hour must be at least 1")
    if arguments.token_lifetime < 0:
        parser.error(f"--token-lifetime must be 0 or more, not {arguments.token_lifetime}")
    if arguments.now is not None:
        try:
            defender_alerts.parse_ticks(arguments.now)
        except ValueError as error:
            parser.error(f"--now: {error}")
    return arguments


def build_state(arguments: argparse.Namespace) -> EmulatorState:
    config = EmulatorConfig(
        tenant_id=arguments.tenant_id,
        client_id=arguments.client_id,
        client_secret=arguments.client_secret,
        token_lifetime=arguments.token_lifetime,
        expired_secret=arguments.expired_secret,
        roles=[role.strip() for role in arguments.roles.split(",") if role.strip()],
        rate_limit_per_minute=arguments.rate_limit_per_minute,
        rate_limit_per_hour=arguments.rate_limit_per_hour,
        page_size=arguments.page_size,
    )
    reference_ticks = defender_alerts.parse_ticks(arguments.now) if arguments.now else now_ticks()
    newest_ticks = reference_ticks - arguments.newest_age_seconds * defender_alerts.TICKS_PER_SECOND

    alerts: list[Alert] = []
    if not arguments.no_samples:
        if not arguments.samples.is_dir():
            raise SystemExit(f"defender-emulator: samples folder {arguments.samples} not found; "
                             "pass --samples DIR or --no-samples")
        alerts = defender_alerts.load_sample_alerts(arguments.samples)
        if arguments.shift_samples_hours > 0:
            span_seconds = int(arguments.shift_samples_hours * 3600)
            alerts = defender_alerts.shift_samples_into_window(alerts, newest_ticks, span_seconds)

    generator = defender_alerts.AlertGenerator(arguments.seed, config.tenant_id)
    if arguments.generate:
        alerts += generator.generate(arguments.generate, newest_ticks, int(arguments.generate_hours * 3600))
    return EmulatorState(config, alerts, generator)


def watch_stdin(server: ThreadingHTTPServer) -> None:
    while sys.stdin.buffer.read(65536):
        pass
    server.shutdown()


def watch_parent(server: ThreadingHTTPServer, parent_pid: int) -> None:
    while True:
        time.sleep(0.5)
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            break
        except PermissionError:
            pass  # The process exists but belongs to another user.
    server.shutdown()


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    state = build_state(arguments)

    server = ThreadingHTTPServer((HOST, arguments.port), EmulatorHandler)
    server.daemon_threads = True
    server.state = state  # type: ignore[attr-defined]
    server.quiet = arguments.quiet  # type: ignore[attr-defined]
    port = server.server_address[1]
    server.base_url = f"http://{HOST}:{port}"  # type: ignore[attr-defined]

    if not arguments.no_stdin_watch:
        threading.Thread(target=watch_stdin, args=(server,), daemon=True).start()
    if arguments.parent_pid is not None:
        threading.Thread(target=watch_parent, args=(server, arguments.parent_pid), daemon=True).start()

    sys.stderr.write(f"defender-emulator: serving {len(state.alerts)} alerts on {server.base_url}\n")
    print(json.dumps({"url": server.base_url}), flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    sys.stderr.write("defender-emulator: stopped\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
