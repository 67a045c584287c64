"""Helpers for the end-to-end tests: start osmem-server and the Defender emulator, and talk to them.

Each server listens on 127.0.0.1, is given a bounded time to print its `{"url": ...}` line,
exits by itself when its stdin closes or when this process ends (`--parent-pid`), and is
stopped by the context manager that started it. HTTP helpers refuse any host but loopback.

    with running_osmem() as cluster, running_emulator("--generate", "50") as emulator:
        token = emulator.fetch_token()
        ...
        assert cluster.count("logs-mde") == 50
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

REPO_ROOT = Path(__file__).resolve().parent.parent
INTEGRATION_DIR = REPO_ROOT / "integration-tests"
VENV_DIR = REPO_ROOT / ".venv"
EMULATOR_SCRIPT = INTEGRATION_DIR / "defender_emulator.py"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

DEFAULT_TENANT_ID = "00000000-0000-0000-0000-00000000c0de"
DEFAULT_CLIENT_ID = "11111111-1111-1111-1111-111111111111"
DEFAULT_CLIENT_SECRET = "emulator-secret-value"
DEFAULT_API_AUDIENCE = "https://api.securitycenter.microsoft.com"

# An opener without the environment's proxy settings: every request here goes to loopback.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class HarnessError(RuntimeError):
    """A server failed to start or stop, or an HTTP call returned an unexpected status."""


# --- HTTP ---------------------------------------------------------------------------------


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes  # as received, so still gzip or deflate compressed when Content-Encoding names one

    def decoded_body(self) -> bytes:
        encoding = self.headers.get("content-encoding", "").lower()
        if encoding == "gzip":
            return gzip.decompress(self.body)
        if encoding == "deflate":
            return zlib.decompress(self.body)
        return self.body

    def json(self) -> Any:
        return json.loads(self.decoded_body())


def require_loopback(url: str) -> None:
    host = urllib.parse.urlsplit(url).hostname
    if host not in LOOPBACK_HOSTS:
        raise HarnessError(f"refusing to send a request to {url}: the tests talk to 127.0.0.1 only")


def http_request(method: str, url: str, body: bytes | str | dict | list | None = None,
                 headers: dict[str, str] | None = None, timeout: float = 30.0) -> HttpResponse:
    """Send one request to a loopback URL and return the response, whatever its status.

    A dict or list body is sent as JSON, a str as UTF-8. Raises HarnessError for a non-loopback
    URL and urllib.error.URLError when the connection fails or times out.
    """
    require_loopback(url)
    request_headers = dict(headers or {})
    data: bytes | None
    if isinstance(body, (dict, list)):
        data = json.dumps(body).encode("utf-8")
        request_headers.setdefault("Content-Type", "application/json")
    elif isinstance(body, str):
        data = body.encode("utf-8")
    else:
        data = body
    request = urllib.request.Request(url, data=data, method=method, headers=request_headers)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return HttpResponse(response.status, lower_case_headers(response.headers), response.read())
    except urllib.error.HTTPError as error:
        with error:
            return HttpResponse(error.code, lower_case_headers(error.headers), error.read())


def lower_case_headers(headers: Any) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def expect_json(response: HttpResponse, what: str, statuses: Sequence[int] = (200,)) -> Any:
    if response.status not in statuses:
        text = response.decoded_body()[:2000].decode("utf-8", errors="replace")
        raise HarnessError(f"{what} failed with HTTP {response.status}: {text}")
    return response.json()


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.2,
               description: str = "condition") -> Any:
    """Call `predicate` until it returns a true value and return that value.

    Raises HarnessError after `timeout` seconds, naming `description`.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise HarnessError(f"timed out after {timeout} s waiting for {description}")
        time.sleep(interval)


# --- processes ----------------------------------------------------------------------------


@dataclass
class ServerProcess:
    """A server started by this harness, with its stderr in `log_path`."""

    name: str
    url: str
    process: subprocess.Popen
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            return f"(log {self.log_path} unreadable: {error})"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 10.0) -> int:
        """Close the server's stdin so it exits by itself, then terminate or kill it if needed.

        Returns the exit code: 0 when it stopped by itself, negative when a signal ended it.
        """
        return stop_process(self.process, timeout)


def stop_process(process: subprocess.Popen, timeout: float) -> int:
    if process.stdin is not None and not process.stdin.closed:
        with contextlib.suppress(OSError):
            process.stdin.close()
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.terminate()
    try:
        return process.wait(timeout=5.0)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait(timeout=5.0)


def start_server_process(name: str, command: Sequence[str], log_dir: Path,
                         startup_timeout: float) -> ServerProcess:
    """Start a server that prints `{"url": ...}` on its first stdout line, and wait for that line.

    Raises HarnessError, after stopping the process, when no valid line arrives within
    `startup_timeout` seconds.
    """
    log_path = log_dir / f"{name}.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log_file,
            cwd=REPO_ROOT,
        )
    lines: queue.Queue[bytes] = queue.Queue()

    def read_stdout() -> None:
        # Queue every line, not only the first, so the server never blocks on a full stdout pipe.
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(b"")

    threading.Thread(target=read_stdout, name=f"{name}-stdout", daemon=True).start()

    def fail(reason: str) -> HarnessError:
        stop_process(process, timeout=5.0)
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-4000:]
        return HarnessError(f"{name} did not start: {reason}\ncommand: {' '.join(command)}\nlog {log_path}:\n{tail}")

    try:
        first_line = lines.get(timeout=startup_timeout)
    except queue.Empty:
        raise fail(f"no URL line on stdout within {startup_timeout} s") from None
    if not first_line:
        raise fail(f"it closed stdout before printing its URL (exit code {stop_process(process, 5.0)})")
    try:
        url = json.loads(first_line)["url"]
    except (ValueError, KeyError, TypeError):
        raise fail(f"the first stdout line is not {{\"url\": ...}}: {first_line[:200]!r}") from None
    try:
        require_loopback(url)
    except HarnessError as error:
        raise fail(str(error)) from None
    return ServerProcess(name=name, url=url.rstrip("/"), process=process, log_path=log_path)


@contextlib.contextmanager
def log_directory(log_dir: Path | None) -> Iterator[Path]:
    """Yield `log_dir` (created if needed), or a temporary folder removed afterwards."""
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        yield log_dir
        return
    with tempfile.TemporaryDirectory(prefix="mde-integration-") as temporary:
        yield Path(temporary)


# --- osmem-server -------------------------------------------------------------------------


def osmem_binary() -> Path:
    """Return the osmem-server binary inside the project's venv, or raise HarnessError."""
    candidates = sorted(VENV_DIR.glob("lib/python3.*/site-packages/osmem_server/bin/osmem-server"))
    if not candidates:
        raise HarnessError(f"osmem-server not found under {VENV_DIR}; run integration-tests/setup.sh")
    return candidates[-1]


class Cluster:
    """An OpenSearch-compatible cluster at `url`, with helpers for the calls tests make."""

    def __init__(self, url: str, server: ServerProcess | None = None) -> None:
        require_loopback(url)
        self.url = url.rstrip("/")
        self.server = server

    def request(self, method: str, path: str, body: bytes | str | dict | list | None = None,
                headers: dict[str, str] | None = None, timeout: float = 30.0) -> HttpResponse:
        return http_request(method, f"{self.url}/{path.lstrip('/')}", body, headers, timeout)

    def bulk(self, actions: Sequence[dict[str, Any]] | str, refresh: bool = False) -> dict[str, Any]:
        """Send `_bulk` with NDJSON text or a list of action and source objects, one per line."""
        if isinstance(actions, str):
            text = actions
        else:
            text = "".join(json.dumps(line) + "\n" for line in actions)
        path = "_bulk?refresh=true" if refresh else "_bulk"
        response = self.request("POST", path, text, {"Content-Type": "application/x-ndjson"})
        return expect_json(response, "_bulk")

    def count(self, index: str, query: dict[str, Any] | None = None) -> int:
        body = {"query": query} if query is not None else None
        response = self.request("POST" if body else "GET", f"{quote_index(index)}/_count", body)
        return expect_json(response, f"_count on {index}")["count"]

    def search(self, index: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.request("POST", f"{quote_index(index)}/_search", body or {"query": {"match_all": {}}})
        return expect_json(response, f"_search on {index}")

    def refresh(self, index: str = "_all") -> None:
        expect_json(self.request("POST", f"{quote_index(index)}/_refresh"), f"_refresh on {index}")

    def mapping(self, index: str) -> dict[str, Any]:
        return expect_json(self.request("GET", f"{quote_index(index)}/_mapping"), f"_mapping of {index}")

    def index_template(self, name: str) -> dict[str, Any] | None:
        """Return the composable index template `name`, or None when it does not exist."""
        response = self.request("GET", f"_index_template/{urllib.parse.quote(name, safe='')}")
        if response.status == 404:
            return None
        templates = expect_json(response, f"GET _index_template/{name}")["index_templates"]
        for template in templates:
            if template.get("name") == name:
                return template["index_template"]
        return None


def quote_index(index: str) -> str:
    return urllib.parse.quote(index, safe=",*_-.")


@contextlib.contextmanager
def running_osmem(log_dir: Path | None = None, startup_timeout: float = 30.0,
                  extra_args: Sequence[str] = ()) -> Iterator[Cluster]:
    """Start osmem-server on a free loopback port and yield a Cluster; stop it on exit."""
    command = [str(osmem_binary()), "-addr", "127.0.0.1:0", "-parent-pid", str(os.getpid()), *extra_args]
    with log_directory(log_dir) as directory:
        server = start_server_process("osmem-server", command, directory, startup_timeout)
        try:
            yield Cluster(server.url, server)
        finally:
            server.stop()


# --- Defender emulator --------------------------------------------------------------------


@dataclass
class Emulator:
    """A running Defender emulator: its URL, credentials and control API."""

    url: str
    server: ServerProcess
    tenant_id: str = DEFAULT_TENANT_ID
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = http_request(method, f"{self.url}/_emulator/{path}", body)
        return expect_json(response, f"{method} /_emulator/{path}")

    def stats(self) -> dict[str, Any]:
        return self.control("GET", "stats")

    def reset_stats(self) -> None:
        self.control("POST", "stats/reset")

    def requests(self) -> list[dict[str, Any]]:
        """Return the logged /api/alerts requests: path, query, status and rows of each."""
        return self.control("GET", "requests")["requests"]

    def configure(self, **settings: Any) -> dict[str, Any]:
        """Change settings such as token_lifetime, expired_secret, roles, rate_limit_per_minute."""
        return self.control("POST", "config", settings)

    def inject_fault(self, status: int, count: int = 1, retry_after: int | None = None,
                     delay_seconds: float = 0.0) -> None:
        """Make the next `count` authenticated /api/alerts calls fail with `status`.

        The responses carry Retry-After only when `retry_after` (seconds) is given. The emulator
        waits `delay_seconds` before each of them.
        """
        body = {"status": status, "count": count, "retry_after": retry_after, "delay_seconds": delay_seconds}
        self.control("POST", "faults", body)

    def clear_faults(self) -> None:
        self.control("DELETE", "faults")

    def expire_tokens(self) -> int:
        return self.control("POST", "tokens/expire")["expired"]

    def alerts(self) -> list[dict[str, Any]]:
        """Return every stored alert, with evidence, ordered by id."""
        return self.control("GET", "alerts")["value"]

    def add_alerts(self, alerts: list[dict[str, Any]]) -> list[str]:
        return self.control("POST", "alerts", {"alerts": alerts})["ids"]

    def generate_alerts(self, count: int, span_seconds: int = 60, newest_age_seconds: int = 0) -> list[str]:
        body = {"generate": count, "span_seconds": span_seconds, "newest_age_seconds": newest_age_seconds}
        return self.control("POST", "alerts", body)["ids"]

    def update_alerts(self, ids: list[str], changes: dict[str, Any] | None = None,
                      last_update_time: str | None = None) -> str:
        """Apply `changes` to the alerts and move their lastUpdateTime; return the new value."""
        body: dict[str, Any] = {"ids": ids, "set": changes or {}}
        if last_update_time is not None:
            body["lastUpdateTime"] = last_update_time
        return self.control("POST", "alerts/update", body)["lastUpdateTime"]

    def token_url(self, version: int = 2) -> str:
        path = "oauth2/v2.0/token" if version == 2 else "oauth2/token"
        return f"{self.url}/{self.tenant_id}/{path}"

    def fetch_token(self, version: int = 2, audience: str = DEFAULT_API_AUDIENCE) -> str:
        """Fetch a new access token with the emulator's credentials, or raise HarnessError."""
        form = {"grant_type": "client_credentials", "client_id": self.client_id,
                "client_secret": self.client_secret}
        if version == 2:
            form["scope"] = f"{audience}/.default"
        else:
            form["resource"] = audience
        response = http_request("POST", self.token_url(version), urllib.parse.urlencode(form),
                                {"Content-Type": "application/x-www-form-urlencoded"})
        return expect_json(response, f"token request (v{version})")["access_token"]

    def get_alerts(self, token: str, query: dict[str, str] | str = "",
                   headers: dict[str, str] | None = None) -> HttpResponse:
        """Send GET /api/alerts with a Bearer token; `query` is a dict of options or a raw query string."""
        if isinstance(query, dict):
            query = urllib.parse.urlencode(query, quote_via=urllib.parse.quote, safe="$:")
        url = f"{self.url}/api/alerts" + (f"?{query}" if query else "")
        return http_request("GET", url, headers={"Authorization": f"Bearer {token}", **(headers or {})})


@contextlib.contextmanager
def running_emulator(*extra_args: str, tenant_id: str = DEFAULT_TENANT_ID, client_id: str = DEFAULT_CLIENT_ID,
                     client_secret: str = DEFAULT_CLIENT_SECRET, log_dir: Path | None = None,
                     startup_timeout: float = 20.0) -> Iterator[Emulator]:
    """Start the Defender emulator with `extra_args` (its command-line flags) and yield it."""
    command = [
        sys.executable, str(EMULATOR_SCRIPT),
        "--parent-pid", str(os.getpid()),
        "--tenant-id", tenant_id, "--client-id", client_id, "--client-secret", client_secret,
        *extra_args,
    ]
    with log_directory(log_dir) as directory:
        server = start_server_process("defender-emulator", command, directory, startup_timeout)
        try:
            yield Emulator(server.url, server, tenant_id, client_id, client_secret)
        finally:
            server.stop()


# --- fault proxy --------------------------------------------------------------------------


@dataclass
class FaultProxy:
    """A running fault_proxy.py in front of a cluster: its URL and control API."""

    url: str
    server: ServerProcess

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = http_request(method, f"{self.url}/_proxy/{path}", body)
        return expect_json(response, f"{method} /_proxy/{path}")

    def set_scenario(self, *rules: dict[str, Any]) -> None:
        """Replace the scenario with `rules` and number later _bulk requests from 1 again."""
        self.control("PUT", "scenario", {"rules": list(rules)})

    def stats(self) -> dict[str, Any]:
        return self.control("GET", "stats")

    def requests(self) -> list[dict[str, Any]]:
        """Return the logged _bulk requests: sequence, body_bytes, gzip, actions, ids, fault, upstream_status."""
        return self.control("GET", "requests")["requests"]


@contextlib.contextmanager
def running_fault_proxy(upstream: str, *rules: dict[str, Any], log_dir: Path | None = None,
                        startup_timeout: float = 20.0) -> Iterator[FaultProxy]:
    """Start fault_proxy.py in front of `upstream` with a scenario of `rules` and yield it."""
    command = [
        sys.executable, str(INTEGRATION_DIR / "fault_proxy.py"), "--upstream", upstream,
        "--parent-pid", str(os.getpid()), "--quiet", "--scenario", json.dumps({"rules": list(rules)}),
    ]
    with log_directory(log_dir) as directory:
        server = start_server_process("fault-proxy", command, directory, startup_timeout)
        try:
            yield FaultProxy(server.url, server)
        finally:
            server.stop()


# --- the shipper --------------------------------------------------------------------------


def shipper_binary(configuration: str = "debug", build: bool = False, timeout: float = 1800.0) -> Path:
    """Return the path of the built `mde-shipper` for `configuration` (debug or release).

    With `build` true, runs `swift build --product mde-shipper` first. Raises HarnessError when
    the binary does not exist.
    """
    if build:
        subprocess.run(["swift", "build", "-c", configuration, "--product", "mde-shipper"],
                       cwd=REPO_ROOT, check=True, timeout=timeout)
    result = subprocess.run(["swift", "build", "-c", configuration, "--show-bin-path"],
                            cwd=REPO_ROOT, check=True, timeout=300, capture_output=True, text=True)
    binary = Path(result.stdout.strip()) / "mde-shipper"
    if not binary.is_file():
        raise HarnessError(f"{binary} not found; build it with `swift build -c {configuration} --product mde-shipper`")
    return binary
