"""End-to-end tests: the built `mde-shipper` against the Defender emulator and osmem-server.

Every test starts its own servers on 127.0.0.1 and uses its own state folder, so tests share
nothing. The shipper is the debug build from `swift build`, so build it before running these.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import pytest

import harness
from harness import Cluster, Emulator

INDEX = "mde-e2e"
RUN_TIMEOUT_SECONDS = 120.0
# Markers that Swift's runtime prints when a program crashes instead of exiting with an error.
CRASH_MARKERS = ("Fatal error", "Current stack trace", "Stack dump", "Program crashed", "Backtrace")


# --- running the shipper ------------------------------------------------------------------


@dataclass
class ShipperResult:
    """The outcome of one finished `mde-shipper` process."""

    command: list[str]
    returncode: int
    stdout: str
    stderr: str

    def log_lines(self) -> list[dict[str, Any]]:
        """Return the stderr lines that are JSON objects, in order."""
        lines = []
        for line in self.stderr.splitlines():
            with contextlib.suppress(ValueError):
                value = json.loads(line)
                if isinstance(value, dict):
                    lines.append(value)
        return lines

    def summary(self) -> dict[str, Any]:
        """Return the last `run finished` log line, or fail the test naming the command."""
        finished = [line for line in self.log_lines() if line.get("message") == "run finished"]
        assert finished, f"no 'run finished' log line\n{self.describe()}"
        return finished[-1]

    def describe(self) -> str:
        stderr_tail = "\n".join(self.stderr.splitlines()[-30:])
        return f"command: {' '.join(self.command)}\nexit code: {self.returncode}\nstderr (tail):\n{stderr_tail}"


class Shipper:
    """Builds `mde-shipper` command lines that point at the test's emulator and cluster."""

    def __init__(self, binary: Path, state_dir: Path, emulator: Emulator | None = None,
                 cluster: Cluster | None = None, index: str = INDEX) -> None:
        self.binary = binary
        self.state_dir = state_dir
        self.emulator = emulator
        self.cluster = cluster
        self.index = index

    def environment(self, overrides: dict[str, str | None] | None = None) -> dict[str, str]:
        """Return the process environment without the caller's shipper, cluster and proxy settings.

        A value of None in `overrides` removes that variable.
        """
        dropped_prefixes = ("MDE_", "ELASTICSEARCH_")
        proxy_names = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
        environment = {
            name: value for name, value in os.environ.items()
            if not name.startswith(dropped_prefixes) and name.lower() not in proxy_names
        }
        environment["NO_PROXY"] = "127.0.0.1,localhost"
        if self.emulator is not None:
            environment["MDE_TENANT_ID"] = self.emulator.tenant_id
            environment["MDE_CLIENT_ID"] = self.emulator.client_id
            environment["MDE_CLIENT_SECRET"] = self.emulator.client_secret
        for name, value in (overrides or {}).items():
            if value is None:
                environment.pop(name, None)
            else:
                environment[name] = value
        return environment

    def command(self, *arguments: str) -> list[str]:
        command = [str(self.binary), *arguments, "--log-format", "json", "--state-dir", str(self.state_dir)]
        if self.emulator is not None:
            command += ["--api-url", self.emulator.url, "--login-url", self.emulator.url]
        if self.cluster is not None:
            command += ["--hosts", self.cluster.url]
        command += ["--index", self.index]
        return command

    def run(self, *arguments: str, stdin: str | None = None, environment: dict[str, str | None] | None = None,
            timeout: float = RUN_TIMEOUT_SECONDS) -> ShipperResult:
        command = self.command(*arguments)
        completed = subprocess.run(
            command, input=stdin if stdin is not None else "", capture_output=True, text=True,
            env=self.environment(environment), timeout=timeout, cwd=self.state_dir,
        )
        return ShipperResult(command, completed.returncode, completed.stdout, completed.stderr)

    def run_once(self, *arguments: str, **options: Any) -> ShipperResult:
        return self.run("run", "--once", *arguments, **options)

    def start(self, arguments: Sequence[str], log_path: Path) -> subprocess.Popen:
        """Start the shipper in the background with stdout and stderr going to `log_path`."""
        with log_path.open("wb") as log_file:
            return subprocess.Popen(
                self.command(*arguments), stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file,
                env=self.environment(), cwd=self.state_dir,
            )


@contextlib.contextmanager
def background_shipper(shipper: Shipper, arguments: Sequence[str], log_path: Path) -> Iterator[subprocess.Popen]:
    """Start the shipper in the background and kill it on exit if it is still running."""
    process = shipper.start(arguments, log_path)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def require_success(result: ShipperResult, dry_run: bool = False) -> dict[str, Any]:
    """Assert that the run exited 0 and return its summary line.

    A run into a cluster must also be balanced: every produced document was acknowledged (stored,
    or found as a duplicate, which counts as acknowledged too) or dead-lettered. A dry run resolves
    no document.
    """
    assert result.returncode == 0, f"mde-shipper failed\n{result.describe()}"
    summary = result.summary()
    if dry_run:
        return summary
    resolved = summary.get("acknowledged", 0) + summary.get("dead_lettered", 0)
    assert summary.get("duplicates", 0) <= summary.get("acknowledged", 0), f"duplicates exceed acknowledged: {summary}"
    assert summary.get("documents_produced") == resolved, f"unbalanced summary: {summary}"
    return summary


def summary_counts(summary: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: summary.get(name) for name in names}


def assert_no_crash(result: ShipperResult) -> None:
    assert result.returncode > 0, f"expected an error exit code\n{result.describe()}"
    output = result.stdout + result.stderr
    for marker in CRASH_MARKERS:
        assert marker not in output, f"crash output ({marker!r}) instead of an error line\n{result.describe()}"


# --- expectations -------------------------------------------------------------------------


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def expected_document_count(alert: dict[str, Any]) -> int:
    """Count the documents one alert gives: one per distinct evidence item, at least one.

    An alert in the legacy shape, with `alertFiles` and no `evidence` key, counts its distinct
    `alertFiles` items instead.
    """
    if "evidence" in alert:
        items = alert["evidence"] or []
    else:
        items = alert.get("alertFiles") or []
    return max(1, len({canonical_json(item) for item in items}))


def field_value(document: dict[str, Any], dotted_name: str) -> Any:
    """Return a field of a document whether it is stored as nested objects or dotted keys."""
    if dotted_name in document:
        return document[dotted_name]
    head, _, rest = dotted_name.partition(".")
    if rest and isinstance(document.get(head), dict):
        return field_value(document[head], rest)
    if rest:
        # A dotted key may sit at any depth, as in {"event": {"kind.x": ...}}.
        for key, value in document.items():
            if dotted_name.startswith(key + ".") and isinstance(value, dict):
                return field_value(value, dotted_name[len(key) + 1:])
    return None


def parse_bulk_ndjson(text: str) -> dict[str, dict[str, Any]]:
    """Return {_id: source} from `_bulk` NDJSON made of action and source line pairs."""
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert len(lines) % 2 == 0, f"odd number of _bulk lines: {len(lines)}"
    documents: dict[str, dict[str, Any]] = {}
    for action_line, source in zip(lines[0::2], lines[1::2]):
        assert len(action_line) == 1, f"not an action line: {action_line}"
        (metadata,) = action_line.values()
        documents[metadata["_id"]] = source
    return documents


def dry_run_documents(binary: Path, alerts: list[dict[str, Any]], work_dir: Path) -> dict[str, dict[str, Any]]:
    """Return {_id: document} that `mde-shipper replay` prints for `alerts` without a cluster."""
    work_dir.mkdir(parents=True, exist_ok=True)
    saved = work_dir / "list-response.json"
    saved.write_text(json.dumps({"value": alerts}), encoding="utf-8")
    shipper = Shipper(binary, work_dir)
    result = shipper.run("replay", str(saved))
    require_success(result, dry_run=True)
    return parse_bulk_ndjson(result.stdout)


# --- the cluster --------------------------------------------------------------------------


def index_count(cluster: Cluster, index: str = INDEX) -> int:
    """Return the refreshed document count of `index`, or 0 while it does not exist."""
    response = cluster.request("POST", f"{index}/_refresh")
    if response.status == 404:
        return 0
    return cluster.count(index)


def indexed_documents(cluster: Cluster, index: str = INDEX) -> dict[str, dict[str, Any]]:
    """Return {_id: _source} of every document in `index` (at most 10,000, osmem's result window)."""
    count = index_count(cluster, index)
    assert count <= 10_000, f"{index} holds {count} documents, more than one _search page returns"
    hits = cluster.search(index, {"query": {"match_all": {}}, "size": 10_000})["hits"]["hits"]
    assert len(hits) == count, f"_search returned {len(hits)} hits but _count says {count}"
    return {hit["_id"]: hit["_source"] for hit in hits}


def mapped_type(properties: dict[str, Any], dotted_name: str) -> str | None:
    """Return the mapped type of a field from a `properties` tree, or None when it is absent."""
    head, _, rest = dotted_name.partition(".")
    node = properties.get(head)
    if node is None:
        return None
    if not rest:
        return node.get("type")
    return mapped_type(node.get("properties", {}), rest)


def closed_loopback_port() -> int:
    """Return a loopback port that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def binary() -> Path:
    return harness.shipper_binary()


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[contextlib.ExitStack]:
    """An exit stack that stops every server a test starts, with their logs in tmp_path/logs."""
    with contextlib.ExitStack() as stack:
        yield stack


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "state"
    directory.mkdir()
    return directory


def start_emulator(servers: contextlib.ExitStack, tmp_path: Path, *arguments: str) -> Emulator:
    return servers.enter_context(harness.running_emulator("--quiet", *arguments, log_dir=tmp_path / "logs"))


def start_cluster(servers: contextlib.ExitStack, tmp_path: Path) -> Cluster:
    return servers.enter_context(harness.running_osmem(log_dir=tmp_path / "logs"))


@pytest.fixture
def sample_setup(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                 state_dir: Path) -> tuple[Emulator, Cluster, Shipper]:
    """The sample alerts shifted into the last 6 hours, an empty cluster and a shipper for both."""
    emulator = start_emulator(servers, tmp_path, "--shift-samples-hours", "6")
    cluster = start_cluster(servers, tmp_path)
    return emulator, cluster, Shipper(binary, state_dir, emulator, cluster)


def generated_setup(servers: contextlib.ExitStack, tmp_path: Path, binary: Path, state_dir: Path,
                    count: int, *emulator_arguments: str) -> tuple[Emulator, Cluster, Shipper]:
    emulator = start_emulator(servers, tmp_path, "--no-samples", "--generate", str(count), *emulator_arguments)
    cluster = start_cluster(servers, tmp_path)
    return emulator, cluster, Shipper(binary, state_dir, emulator, cluster)


def assert_index_matches_alerts(cluster: Cluster, alerts: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Assert that the index contains the expected number of documents for every alert."""
    documents = indexed_documents(cluster)
    per_alert: dict[str, int] = {}
    for document in documents.values():
        alert_id = field_value(document, "event.id")
        per_alert[alert_id] = per_alert.get(alert_id, 0) + 1
    expected = {alert["id"]: expected_document_count(alert) for alert in alerts}
    assert per_alert == expected
    return documents


# --- shipping from the emulator -----------------------------------------------------------


def test_samples_shipped_once(sample_setup: tuple[Emulator, Cluster, Shipper], state_dir: Path) -> None:
    emulator, cluster, shipper = sample_setup
    alerts = emulator.alerts()
    expected_total = sum(expected_document_count(alert) for alert in alerts)

    summary = require_success(shipper.run_once())

    documents = assert_index_matches_alerts(cluster, alerts)
    for document_id, document in documents.items():
        for name in ("event.id", "@timestamp", "message"):
            assert field_value(document, name) is not None, f"{document_id} lacks {name}"
    counts = summary_counts(summary, "alerts_read", "documents_produced", "pipeline_errors",
                            "acknowledged", "duplicates", "dead_lettered")
    assert counts == {
        "alerts_read": len(alerts), "documents_produced": expected_total, "pipeline_errors": 0,
        "acknowledged": expected_total, "duplicates": 0, "dead_lettered": 0,
    }
    assert (state_dir / f"cursor-{emulator.tenant_id}.json").is_file()


def test_sample_documents_carry_mapped_fields(sample_setup: tuple[Emulator, Cluster, Shipper]) -> None:
    emulator, cluster, shipper = sample_setup
    alerts = {alert["id"]: alert for alert in emulator.alerts()}

    require_success(shipper.run_once())

    for document_id, document in indexed_documents(cluster).items():
        alert = alerts[field_value(document, "event.id")]
        assert field_value(document, "event.kind") == "alert", document_id
        if alert.get("title"):
            assert field_value(document, "rule.name") == alert["title"], document_id
        if alert.get("computerDnsName"):
            assert field_value(document, "host.hostname") == alert["computerDnsName"], document_id
            assert field_value(document, "host.name") == alert["computerDnsName"].lower(), document_id


def test_second_run_counts_duplicates(sample_setup: tuple[Emulator, Cluster, Shipper], state_dir: Path) -> None:
    emulator, cluster, shipper = sample_setup
    first = require_success(shipper.run_once())
    ids_after_first = set(indexed_documents(cluster))
    cursor = state_dir / f"cursor-{emulator.tenant_id}.json"
    assert cursor.is_file()

    cursor.unlink()
    second = require_success(shipper.run_once())

    assert set(indexed_documents(cluster)) == ids_after_first
    produced = first["documents_produced"]
    assert summary_counts(second, "documents_produced", "duplicates", "acknowledged", "dead_lettered") == {
        "documents_produced": produced, "duplicates": produced, "acknowledged": produced, "dead_lettered": 0,
    }


def test_dry_run_prints_bulk_and_keeps_no_cursor(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                                                  state_dir: Path) -> None:
    emulator = start_emulator(servers, tmp_path, "--shift-samples-hours", "6")
    shipper = Shipper(binary, state_dir, emulator, cluster=None)
    alerts = emulator.alerts()

    result = shipper.run_once()

    summary = require_success(result, dry_run=True)
    documents = parse_bulk_ndjson(result.stdout)
    assert len(documents) == sum(expected_document_count(alert) for alert in alerts)
    assert summary["documents_produced"] == len(documents)
    assert not (state_dir / f"cursor-{emulator.tenant_id}.json").exists()


def test_paging_across_several_pages(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                                     state_dir: Path) -> None:
    emulator, cluster, shipper = generated_setup(servers, tmp_path, binary, state_dir, 250)
    alerts = emulator.alerts()

    summary = require_success(shipper.run_once("--page-size", "50"))

    pages = [entry for entry in emulator.requests() if entry["status"] == 200]
    assert len(pages) >= 5, f"expected at least 5 pages of 50, got {pages}"
    assert all(entry["query"].get("$top") == "50" for entry in pages), pages
    assert sum(entry["rows"] for entry in pages) >= len(alerts)
    assert_index_matches_alerts(cluster, alerts)
    assert summary["alerts_read"] == len(alerts)


def test_throttled_call_is_waited_out(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                                      state_dir: Path) -> None:
    emulator, cluster, shipper = generated_setup(servers, tmp_path, binary, state_dir, 120)
    alerts = emulator.alerts()
    emulator.inject_fault(429, count=1, retry_after=1)

    started = time.monotonic()
    summary = require_success(shipper.run_once("--page-size", "50"))
    elapsed = time.monotonic() - started

    statuses = [entry["status"] for entry in emulator.requests()]
    assert statuses[0] == 429, statuses
    assert statuses[1:] and all(status == 200 for status in statuses[1:]), statuses
    assert elapsed >= 1.0, f"the run took {elapsed:.2f} s, less than Retry-After: 1"
    assert_index_matches_alerts(cluster, alerts)
    assert summary["alerts_read"] == len(alerts)


def test_token_expiry_during_run(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                                 state_dir: Path) -> None:
    emulator, cluster, shipper = generated_setup(servers, tmp_path, binary, state_dir, 250)
    alerts = emulator.alerts()
    # The first page call gets a 429 with Retry-After: 2. While the shipper waits, every issued
    # token is expired, so its retry carries an expired token and must fetch a new one.
    emulator.inject_fault(429, count=1, retry_after=2)
    with background_shipper(shipper, ["run", "--once", "--page-size", "50"], tmp_path / "shipper.log") as process:
        harness.wait_until(lambda: any(entry["status"] == 429 for entry in emulator.requests()),
                           timeout=30, interval=0.02, description="the injected 429")
        assert emulator.expire_tokens() >= 1
        returncode = process.wait(timeout=RUN_TIMEOUT_SECONDS)
    log = (tmp_path / "shipper.log").read_text(encoding="utf-8", errors="replace")

    assert returncode == 0, log[-4000:]
    statuses = [entry["status"] for entry in emulator.requests()]
    assert 401 in statuses, statuses
    assert emulator.stats()["tokens_issued"] >= 2
    assert_index_matches_alerts(cluster, alerts)


def test_short_token_lifetime_renews_tokens(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                                            state_dir: Path) -> None:
    # Tokens live 2 s, and two throttled calls with Retry-After: 2 stretch the run past that.
    emulator, cluster, shipper = generated_setup(servers, tmp_path, binary, state_dir, 150,
                                                 "--token-lifetime", "2")
    alerts = emulator.alerts()
    emulator.inject_fault(429, count=2, retry_after=2)

    require_success(shipper.run_once("--page-size", "50"))

    assert emulator.stats()["tokens_issued"] >= 2
    assert_index_matches_alerts(cluster, alerts)


def test_v1_token_endpoint_and_secret_file(sample_setup: tuple[Emulator, Cluster, Shipper],
                                          tmp_path: Path) -> None:
    emulator, cluster, shipper = sample_setup
    secret_file = tmp_path / "client-secret"
    secret_file.write_text(emulator.client_secret + "\n", encoding="utf-8")
    environment = {"MDE_CLIENT_SECRET": None, "MDE_CLIENT_SECRET_FILE": str(secret_file)}

    result = shipper.run_once("--token-endpoint", "v1", environment=environment)

    require_success(result)
    assert emulator.stats()["calls"].get("token_v1") == 1
    assert "token_v2" not in emulator.stats()["calls"]
    assert_index_matches_alerts(cluster, emulator.alerts())
    assert emulator.client_secret not in result.stdout + result.stderr


def test_polling_run_drains_on_sigterm(sample_setup: tuple[Emulator, Cluster, Shipper], state_dir: Path,
                                       tmp_path: Path) -> None:
    emulator, cluster, shipper = sample_setup
    alerts = emulator.alerts()
    expected_total = sum(expected_document_count(alert) for alert in alerts)
    cursor = state_dir / f"cursor-{emulator.tenant_id}.json"

    def first_cycle_done() -> bool:
        return cursor.is_file() and index_count(cluster) == expected_total

    with background_shipper(shipper, ["run", "--poll-interval", "1s"], tmp_path / "polling-run.log") as process:
        harness.wait_until(lambda: process.poll() is not None or first_cycle_done(),
                           timeout=60, interval=0.2, description="the first cycle's documents and cursor")
        assert process.poll() is None, "run without --once exited by itself"
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=40)
    log = (tmp_path / "polling-run.log").read_text(encoding="utf-8", errors="replace")

    assert returncode == 0, log[-4000:]
    assert_index_matches_alerts(cluster, alerts)


# --- cluster side -------------------------------------------------------------------------


def test_rejected_documents_are_dead_lettered(sample_setup: tuple[Emulator, Cluster, Shipper], state_dir: Path,
                                             binary: Path, tmp_path: Path) -> None:
    emulator, cluster, shipper = sample_setup
    field = "microsoft.defender_endpoint.threatName"
    planned = dry_run_documents(binary, emulator.alerts(), tmp_path / "dry-run")
    rejected = {
        document_id for document_id, document in planned.items()
        if isinstance(field_value(document, field), str) and not field_value(document, field).isdigit()
    }
    assert 0 < len(rejected) < len(planned), f"{field} must be text in some documents and absent in others"
    mapping = {"properties": {"microsoft": {"properties": {"defender_endpoint": {"properties": {
        "threatName": {"type": "long"}}}}}}}
    created = cluster.request("PUT", INDEX, {"mappings": mapping})
    assert created.status == 200, created.decoded_body()

    summary = require_success(shipper.run_once())

    dead_letter_path = state_dir / "dead-letter.ndjson"
    assert dead_letter_path.is_file()
    dead_letters = [json.loads(line) for line in dead_letter_path.read_text(encoding="utf-8").splitlines() if line]
    assert {line.get("_id") for line in dead_letters} == rejected
    assert len(dead_letters) == len(rejected)
    for line in dead_letters:
        assert field_value(line, "status") == 400, line
        assert field_value(line, "error.type") == "mapper_parsing_exception", line
    assert set(indexed_documents(cluster)) == set(planned) - rejected
    assert summary["dead_lettered"] == len(rejected)
    assert summary["acknowledged"] == summary["documents_produced"] - len(rejected)


def test_template_installed_with_mapping(sample_setup: tuple[Emulator, Cluster, Shipper]) -> None:
    emulator, cluster, shipper = sample_setup
    name = f"mde-shipper-{INDEX}"

    require_success(shipper.run_once())

    template = cluster.index_template(name)
    assert template is not None, f"index template {name} not found"
    assert template.get("_meta", {}).get("managed_by") == "mde-shipper"
    assert set(template.get("composed_of", [])) >= {f"{name}@package", f"{name}@custom"}
    for component in (f"{name}@package", f"{name}@custom"):
        response = cluster.request("GET", f"_component_template/{component}")
        assert response.status == 200, f"component template {component}: HTTP {response.status}"
    properties = cluster.mapping(INDEX)[INDEX]["mappings"]["properties"]
    expected_types = {"@timestamp": "date", "event.severity": "long", "host.name": "keyword"}
    assert {name: mapped_type(properties, name) for name in expected_types} == expected_types
    for ip_field in ("source.ip", "related.ip"):
        if mapped_type(properties, ip_field) is not None:
            assert mapped_type(properties, ip_field) == "ip"


def test_template_install_command(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                                  state_dir: Path) -> None:
    cluster = start_cluster(servers, tmp_path)
    shipper = Shipper(binary, state_dir, emulator=None, cluster=cluster)
    name = f"mde-shipper-{INDEX}"

    printed = shipper.run("template", "print", environment={"ELASTICSEARCH_HOSTS": None})
    installed = shipper.run("template", "install")

    assert printed.returncode == 0, printed.describe()
    assert '"managed_by"' in printed.stdout, printed.stdout[:2000]
    assert name in printed.stdout, printed.stdout[:2000]
    assert installed.returncode == 0, installed.describe()
    template = cluster.index_template(name)
    assert template is not None and template.get("_meta", {}).get("managed_by") == "mde-shipper"


def test_template_install_refuses_foreign_template(servers: contextlib.ExitStack, tmp_path: Path,
                                                   binary: Path, state_dir: Path) -> None:
    cluster = start_cluster(servers, tmp_path)
    shipper = Shipper(binary, state_dir, emulator=None, cluster=cluster)
    foreign = {"index_patterns": ["foreign-*"], "template": {"settings": {"number_of_shards": 1}}}
    response = cluster.request("PUT", "/_index_template/foreign-template", foreign)
    assert response.status == 200, f"PUT foreign template: HTTP {response.status}"

    rejected = shipper.run("template", "install", "--template-name", "foreign-template")
    orphan = cluster.request("GET", "/_component_template/foreign-template@package")
    replaced = shipper.run("template", "install", "--template-name", "foreign-template", "--template-overwrite")

    assert rejected.returncode == 1, rejected.describe()
    assert "--template-overwrite" in rejected.stderr, rejected.describe()
    assert "left_alone" in rejected.stdout, rejected.describe()
    assert orphan.status == 404, f"component template written beside a foreign index template: HTTP {orphan.status}"
    assert replaced.returncode == 0, replaced.describe()
    template = cluster.index_template("foreign-template")
    assert template is not None and template.get("_meta", {}).get("managed_by") == "mde-shipper"


def test_kill_during_run_loses_nothing(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                                       state_dir: Path) -> None:
    # At most 3 API calls a minute: the first 300 alerts arrive at once and the rest only after a
    # long Retry-After, so the kill lands while the run is still going. osmem-server indexes
    # these documents at roughly 150 a second on a 2-core machine, which sizes the test at 1000
    # alerts (about 1750 documents).
    emulator, cluster, shipper = generated_setup(servers, tmp_path, binary, state_dir, 1000,
                                                 "--rate-limit-per-minute", "3")
    expected_ids = set(dry_run_documents(binary, emulator.alerts(), tmp_path / "dry-run"))
    arguments = ["run", "--once", "--page-size", "100", "--batch-size", "50"]

    with background_shipper(shipper, arguments, tmp_path / "killed-run.log") as process:
        harness.wait_until(lambda: process.poll() is not None or index_count(cluster) > 0,
                           timeout=60, interval=0.1, description="the first indexed documents")
        assert process.poll() is None, "the run finished before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    count_at_kill = index_count(cluster)
    assert 0 < count_at_kill < len(expected_ids)

    emulator.configure(rate_limit_per_minute=1000, rate_limit_per_hour=100_000)
    summary = require_success(shipper.run_once("--page-size", "100", "--batch-size", "50"))

    # The cursor never moved, so the restart re-reads the whole window: every document is
    # acknowledged, and those indexed before the kill come back as duplicates.
    assert summary["acknowledged"] == len(expected_ids)
    assert summary["duplicates"] >= count_at_kill
    indexed_ids = set(indexed_documents(cluster))
    assert sorted(expected_ids - indexed_ids)[:10] == [], "documents missing after the restart"
    assert sorted(indexed_ids - expected_ids)[:10] == [], "unexpected documents after the restart"
    assert index_count(cluster) == len(expected_ids)


# --- replay -------------------------------------------------------------------------------


@pytest.fixture
def replay_setup(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                 state_dir: Path) -> tuple[list[dict[str, Any]], Cluster, Shipper]:
    """Sample alerts read once from an emulator, an empty cluster and a shipper without Defender."""
    emulator = start_emulator(servers, tmp_path, "--shift-samples-hours", "6")
    cluster = start_cluster(servers, tmp_path)
    return emulator.alerts(), cluster, Shipper(binary, state_dir, emulator=None, cluster=cluster)


def test_replay_of_list_response_file(replay_setup: tuple[list[dict[str, Any]], Cluster, Shipper],
                                      tmp_path: Path) -> None:
    alerts, cluster, shipper = replay_setup
    saved = tmp_path / "alerts.json"
    saved.write_text(json.dumps({"@odata.context": "saved", "value": alerts}), encoding="utf-8")

    summary = require_success(shipper.run("replay", str(saved)))

    assert_index_matches_alerts(cluster, alerts)
    assert summary["alerts_read"] == len(alerts)


def test_replay_of_ndjson_on_stdin(replay_setup: tuple[list[dict[str, Any]], Cluster, Shipper]) -> None:
    alerts, cluster, shipper = replay_setup
    ndjson = "".join(json.dumps(alert) + "\n" for alert in alerts)

    summary = require_success(shipper.run("replay", "-", stdin=ndjson))

    assert_index_matches_alerts(cluster, alerts)
    assert summary["alerts_read"] == len(alerts)


def test_replay_stops_at_invalid_line(replay_setup: tuple[list[dict[str, Any]], Cluster, Shipper],
                                      tmp_path: Path) -> None:
    alerts, cluster, shipper = replay_setup
    valid = alerts[:3]
    saved = tmp_path / "alerts.ndjson"
    saved.write_text("".join(json.dumps(alert) + "\n" for alert in valid) + '{"id": not-json}\n',
                     encoding="utf-8")

    result = shipper.run("replay", str(saved))

    assert_no_crash(result)
    assert re.search(r"line\D{0,3}4\b", result.stderr, re.IGNORECASE), result.describe()
    assert_index_matches_alerts(cluster, valid)


# --- configuration errors -----------------------------------------------------------------


@pytest.fixture
def error_setup(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                state_dir: Path) -> Shipper:
    """A shipper with a working emulator and no cluster, to which each test adds a broken setting."""
    emulator = start_emulator(servers, tmp_path, "--shift-samples-hours", "6")
    return Shipper(binary, state_dir, emulator, cluster=None)


def test_missing_tenant_id_is_reported(error_setup: Shipper) -> None:
    result = error_setup.run_once(environment={"MDE_TENANT_ID": None})

    assert_no_crash(result)
    assert "MDE_TENANT_ID" in result.stderr or "tenant-id" in result.stderr, result.describe()


@pytest.mark.parametrize("hosts", ["http://[127.0.0.1", "ftp://127.0.0.1:9200", "http://127.0.0.1:notaport"])
def test_malformed_hosts_is_reported(error_setup: Shipper, hosts: str) -> None:
    result = error_setup.run_once("--hosts", hosts)

    assert_no_crash(result)
    assert hosts in result.stderr or "hosts" in result.stderr.lower(), result.describe()


def test_invalid_api_key_is_not_echoed(error_setup: Shipper) -> None:
    api_key = "n0t-an-api-key!secret-value"
    port = closed_loopback_port()

    result = error_setup.run_once("--hosts", f"http://127.0.0.1:{port}",
                                  environment={"ELASTICSEARCH_API_KEY": api_key})

    assert_no_crash(result)
    assert "api" in result.stderr.lower(), result.describe()
    assert api_key not in result.stdout + result.stderr
    assert "secret-value" not in result.stdout + result.stderr


def test_unreachable_cluster_is_reported(error_setup: Shipper) -> None:
    port = closed_loopback_port()

    result = error_setup.run_once("--hosts", f"http://127.0.0.1:{port}", timeout=90)

    assert_no_crash(result)
    assert result.returncode == 1, result.describe()
    assert str(port) in result.stderr, result.describe()


@pytest.mark.parametrize("case", ["missing tenant", "malformed hosts", "invalid API key"])
def test_configuration_errors_exit_2(error_setup: Shipper, case: str) -> None:
    # The README promises exit status 2 for invalid configuration and 1 for a failed run.
    unused_port = closed_loopback_port()
    arguments, environment = {
        "missing tenant": ((), {"MDE_TENANT_ID": None}),
        "malformed hosts": (("--hosts", "http://[127.0.0.1"), None),
        "invalid API key": (("--hosts", f"http://127.0.0.1:{unused_port}"), {"ELASTICSEARCH_API_KEY": "not-a-key!"}),
    }[case]

    result = error_setup.run_once(*arguments, environment=environment)

    assert result.returncode == 2, result.describe()


def test_wrong_client_secret_is_reported(servers: contextlib.ExitStack, tmp_path: Path, binary: Path) -> None:
    emulator = servers.enter_context(harness.running_emulator("--no-samples", "--generate", "5"))
    cluster = servers.enter_context(harness.running_osmem())
    wrong_secret = "wrong-secret-value-123"
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    shipper = Shipper(binary, state_dir, emulator, cluster)

    result = shipper.run_once(environment={"MDE_CLIENT_SECRET": wrong_secret}, timeout=90)

    assert result.returncode == 2, result.describe()
    assert "AADSTS7000215" in result.stderr, result.describe()
    assert wrong_secret not in result.stdout + result.stderr
    assert emulator.stats()["calls"].get("alerts", 0) == 0
