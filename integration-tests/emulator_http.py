"""Request handler base of the Defender API emulator: body reading, JSON and encoded responses, logs."""

from __future__ import annotations

import gzip
import json
import sys
import urllib.parse
import uuid
import zlib
from http.server import BaseHTTPRequestHandler
from typing import Any

from emulator_state import EmulatorState

MAX_BODY_BYTES = 64 * 1024 * 1024


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


class EmulatorRequestHandler(BaseHTTPRequestHandler):
    """Base of the endpoint handlers: body reading, encoded responses and logging.

    The server object carries `state`, `base_url` and `quiet`.
    """

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
