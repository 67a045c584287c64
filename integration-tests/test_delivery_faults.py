"""End-to-end delivery under faults: `mde-shipper replay` ships through fault_proxy.py into osmem-server.

Every test replays the same 100 generated alerts (0 to 3 evidence items each) in batches of 20
documents. It checks that each expected `_id` is in the index exactly once, that
`documents_produced == acknowledged + dead_lettered` and nothing stays buffered, and that the
duplicates, retries and request statuses match what the fault implies. The expected ids come from
a dry run (`replay` without `--hosts`), which prints the `_bulk` action lines.
"""

from __future__ import annotations

import contextlib
import json
import signal
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

import defender_alerts
import harness
from harness import Cluster, FaultProxy
from test_end_to_end import (
    Shipper, ShipperResult, background_shipper, field_value, index_count, indexed_documents, parse_bulk_ndjson,
    require_success,
)

INDEX = "mde-faults"
ALERT_COUNT = 100
BATCH_SIZE = 20
SHIP_TIMEOUT_SECONDS = 60.0
# Short enough to keep the configuration error tests quick, long enough for their checks to run
# between the first rejection and the first resend.
CONFIGURATION_ERROR_RETRY_SECONDS = 5


@dataclass
class Replay:
    """The alerts file every test replays and the documents a dry run plans for it."""

    path: Path
    documents: dict[str, dict[str, Any]]
    # Bytes of each document's action and source lines in the `_bulk` body, newlines included.
    sizes: dict[str, int]

    @property
    def ids(self) -> set[str]:
        return set(self.documents)


@dataclass
class Setup:
    """A cluster, a proxy in front of it and a shipper that sends to the proxy."""

    cluster: Cluster
    proxy: FaultProxy
    shipper: Shipper
    state_dir: Path

    def ship(self, replay: Replay, *arguments: str) -> ShipperResult:
        return self.shipper.run("replay", str(replay.path), "--batch-size", str(BATCH_SIZE),
                                "--flush-interval", "200ms", *arguments, timeout=SHIP_TIMEOUT_SECONDS)

    def dead_letters(self) -> list[dict[str, Any]]:
        path = self.state_dir / "dead-letter.ndjson"
        if not path.is_file():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture(scope="module")
def binary() -> Path:
    return harness.shipper_binary()


@pytest.fixture(scope="module")
def replay(binary: Path, tmp_path_factory: pytest.TempPathFactory) -> Replay:
    work_dir = tmp_path_factory.mktemp("replay")
    generator = defender_alerts.AlertGenerator(seed=7, tenant_id=harness.DEFAULT_TENANT_ID)
    alerts = generator.generate(ALERT_COUNT, defender_alerts.now_ticks(), span_seconds=3600)
    path = work_dir / "alerts.json"
    path.write_text(json.dumps({"value": alerts}), encoding="utf-8")
    result = Shipper(binary, work_dir, index=INDEX).run("replay", str(path))
    require_success(result, dry_run=True)
    documents = parse_bulk_ndjson(result.stdout)
    assert len(documents) > ALERT_COUNT, "the generated alerts should give more documents than alerts"
    return Replay(path, documents, bulk_line_sizes(result.stdout))


def bulk_line_sizes(ndjson: str) -> dict[str, int]:
    lines = [line.encode("utf-8") for line in ndjson.splitlines() if line.strip()]
    sizes = {}
    for action_line, source_line in zip(lines[0::2], lines[1::2]):
        (metadata,) = json.loads(action_line).values()
        sizes[metadata["_id"]] = len(action_line) + len(source_line) + 2
    return sizes


@pytest.fixture
def setup(binary: Path, tmp_path: Path) -> Iterator[Setup]:
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    with contextlib.ExitStack() as servers:
        cluster = servers.enter_context(harness.running_osmem(log_dir=tmp_path / "logs"))
        proxy = servers.enter_context(harness.running_fault_proxy(cluster.url, log_dir=tmp_path / "logs"))
        shipper = Shipper(binary, state_dir, cluster=Cluster(proxy.url), index=INDEX)
        yield Setup(cluster, proxy, shipper, state_dir)


def assert_indexed_once(setup: Setup, replay: Replay) -> None:
    """Assert that the index contains every planned `_id` once and nothing else."""
    indexed = indexed_documents(setup.cluster, INDEX)
    assert sorted(replay.ids - set(indexed))[:10] == [], "documents missing from the index"
    assert sorted(set(indexed) - replay.ids)[:10] == [], "unexpected documents in the index"
    assert len(indexed) == len(replay.ids)


def prepare_index(setup: Setup, mappings: dict[str, Any] | None = None) -> None:
    """Install the shipper's templates and create the index from them before the run.

    `mappings` (a `properties` tree) overrides the template's types of those fields.
    """
    installed = setup.shipper.run("template", "install")
    assert installed.returncode == 0, installed.describe()
    body = {"mappings": {"properties": mappings}} if mappings else {}
    created = setup.cluster.request("PUT", INDEX, body)
    assert created.status == 200, created.decoded_body()


def requests_by_status(summary: dict[str, Any]) -> dict[int, int]:
    prefix = "bulk.requests."
    return {int(name[len(prefix):]): count for name, count in summary.items() if name.startswith(prefix)}


def request_errors(summary: dict[str, Any]) -> dict[str, int]:
    prefix = "bulk.request_errors."
    return {name[len(prefix):]: count for name, count in summary.items() if name.startswith(prefix)}


def delivered(setup: Setup, replay: Replay, result: ShipperResult) -> dict[str, Any]:
    """Assert a clean, balanced run with every document indexed once; return its summary."""
    summary = require_success(result)
    assert summary["documents_produced"] == len(replay.ids), summary
    assert summary["acknowledged"] == len(replay.ids), summary
    assert summary["dead_lettered"] == 0, summary
    assert summary["buffered"] == 0, summary
    assert_indexed_once(setup, replay)
    return summary


def faulted(setup: Setup, fault: str) -> list[dict[str, Any]]:
    """Return the proxy's log entries of the `_bulk` requests that got `fault`."""
    entries = [entry for entry in setup.proxy.requests() if entry["fault"] == fault]
    assert entries, f"the proxy applied no {fault} fault"
    return entries


def action_count(entries: list[dict[str, Any]]) -> int:
    return sum(entry["actions"] for entry in entries)


def warnings(result: ShipperResult) -> list[str]:
    return [line["message"] for line in result.log_lines() if line.get("log.level") in ("warn", "error")]


# --- no fault -----------------------------------------------------------------------------


def test_no_fault_baseline(setup: Setup, replay: Replay) -> None:
    summary = delivered(setup, replay, setup.ship(replay))

    stats = setup.proxy.stats()
    assert summary["duplicates"] == 0
    assert summary["retried"] == 0
    assert requests_by_status(summary) == {200: stats["bulk_requests"]}
    assert summary["bulk.body_bytes"] == stats["bulk_body_bytes"]
    assert stats["bulk_documents"] == len(replay.ids)


# --- item faults --------------------------------------------------------------------------


def test_item_429_resent_as_duplicates(setup: Setup, replay: Replay) -> None:
    # Every third item of the first two requests: the cluster stored them, the shipper heard 429.
    setup.proxy.set_scenario({"fault": "item_status", "status": 429, "items": {"every": 3}, "requests": [1, 2]})

    result = setup.ship(replay)

    summary = delivered(setup, replay, result)
    rewritten = setup.proxy.stats()["items_rewritten"]
    assert rewritten == 12
    assert summary["retried"] == rewritten
    assert summary["duplicates"] == rewritten
    assert requests_by_status(summary) == {200: setup.proxy.stats()["bulk_requests"]}
    assert "bulk items rejected for now, retrying them" in warnings(result)


def test_item_503_rewrites_repeated(setup: Setup, replay: Replay) -> None:
    # Whole responses rewritten to 503 at random, at most three times, so one batch may be hit
    # again on its resend: each resend counts as a retry, each document once as a duplicate.
    setup.proxy.set_scenario({"fault": "item_status", "status": 503, "items": "all",
                              "probability": 0.3, "seed": 3, "limit": 3})

    summary = delivered(setup, replay, setup.ship(replay))

    entries = faulted(setup, "item_status")
    rewritten_ids = {document_id for entry in entries for document_id in entry["ids"]}
    assert summary["retried"] == setup.proxy.stats()["items_rewritten"]
    assert summary["duplicates"] == len(rewritten_ids)
    assert request_errors(summary) == {}


# --- whole-request statuses ---------------------------------------------------------------


@pytest.mark.parametrize("rule", [
    {"fault": "status", "status": 429, "requests": [1, 3]},
    {"fault": "status", "status": 503, "every": 4, "limit": 2, "retry_after": 1},
], ids=["429", "503"])
def test_whole_status_resends_batch(setup: Setup, replay: Replay, rule: dict[str, Any]) -> None:
    setup.proxy.set_scenario(rule)

    result = setup.ship(replay)

    summary = delivered(setup, replay, result)
    entries = faulted(setup, "status")
    stats = setup.proxy.stats()
    assert summary["duplicates"] == 0, "a request answered without forwarding stored nothing"
    assert summary["retried"] == action_count(entries)
    assert requests_by_status(summary) == {200: stats["bulk_requests"] - 2, rule["status"]: 2}
    assert "bulk request failed, retrying the batch" in warnings(result)


def test_413_splits_batches(setup: Setup, replay: Replay) -> None:
    limit = 30_000
    setup.proxy.set_scenario({"fault": "status", "status": 413, "over_bytes": limit})

    result = setup.ship(replay)

    summary = delivered(setup, replay, result)
    rejected = faulted(setup, "status")
    forwarded = [entry for entry in setup.proxy.requests() if entry["fault"] is None]
    assert requests_by_status(summary)[413] == len(rejected)
    assert all(entry["body_bytes"] > limit for entry in rejected)
    assert all(entry["body_bytes"] <= limit for entry in forwarded)
    assert summary["duplicates"] == 0
    assert "bulk request too large, splitting the batch" in [line["message"] for line in result.log_lines()]


def test_413_single_document_dead_lettered(setup: Setup, replay: Replay) -> None:
    # The limit lies just below the two largest documents, so they are rejected even alone.
    sizes = sorted(replay.sizes.items(), key=lambda item: item[1])
    limit = sizes[-3][1]
    too_large = {document_id for document_id, size in sizes if size > limit}
    setup.proxy.set_scenario({"fault": "status", "status": 413, "over_bytes": limit})

    summary = require_success(setup.ship(replay))

    dead_letters = setup.dead_letters()
    assert {line["_id"] for line in dead_letters} == too_large
    assert len(dead_letters) == len(too_large)
    assert {line["error"]["type"] for line in dead_letters} == {"document_too_large"}
    assert summary["dead_lettered"] == len(too_large)
    assert summary["buffered"] == 0
    assert set(indexed_documents(setup.cluster, INDEX)) == replay.ids - too_large


# --- connection faults --------------------------------------------------------------------


def test_reset_before_forwarding(setup: Setup, replay: Replay) -> None:
    setup.proxy.set_scenario({"fault": "reset_before", "requests": [2, 5]})

    summary = delivered(setup, replay, setup.ship(replay))

    entries = faulted(setup, "reset_before")
    assert [entry["upstream_status"] for entry in entries] == [None, None]
    assert summary["duplicates"] == 0, "a request reset before forwarding stored nothing"
    # On a reused connection libcurl resends the request by itself, which the shipper counts too.
    assert request_errors(summary) == {"connection_failed": len(entries)}
    assert summary["retried"] == action_count(entries)


def test_reset_after_forwarding(setup: Setup, replay: Replay) -> None:
    # The cluster stored both batches but the shipper never heard it: the resends find every
    # document already there, so each counts once as a duplicate and none is stored twice.
    setup.proxy.set_scenario({"fault": "reset_after", "requests": [2, 5]})

    summary = delivered(setup, replay, setup.ship(replay))

    entries = faulted(setup, "reset_after")
    assert [entry["upstream_status"] for entry in entries] == [200, 200]
    assert summary["duplicates"] == action_count(entries)
    assert request_errors(summary) == {"connection_failed": len(entries)}
    assert summary["retried"] == action_count(entries)


def test_reset_after_on_reused_connection_counted(setup: Setup, replay: Replay) -> None:
    # Request 4 goes over a kept-alive connection, so libcurl resends it by itself on a new one
    # after the reset. The shipper learns of the resend from libcurl's pre-request callback.
    setup.proxy.set_scenario({"fault": "reset_after", "requests": [4]})

    result = setup.ship(replay)

    summary = delivered(setup, replay, result)
    (entry,) = faulted(setup, "reset_after")
    resends = [other for other in setup.proxy.requests()
               if other["ids"] == entry["ids"] and other["sequence"] > entry["sequence"]]
    assert len(resends) == 1
    assert summary["duplicates"] == 20
    assert request_errors(summary) == {"connection_failed": 1}
    assert summary["retried"] == 20
    assert "bulk request resent on a new connection after a reused connection closed without a response" in warnings(result)


def test_delay_past_request_timeout(setup: Setup, replay: Replay) -> None:
    # osmem-server takes about 1.5 s for the first requests into a new index on a 2-core test
    # machine, so the index is created before the run and only the delayed request times out.
    prepare_index(setup)
    setup.proxy.set_scenario({"fault": "delay", "seconds": 2.5, "where": "after", "requests": [2]})

    summary = delivered(setup, replay, setup.ship(replay, "--request-timeout", "1s"))

    (entry,) = faulted(setup, "delay")
    assert entry["upstream_status"] == 200
    assert request_errors(summary) == {"timed_out": 1}
    assert summary["duplicates"] == entry["actions"]
    assert summary["retried"] == entry["actions"]


def test_delay_within_request_timeout(setup: Setup, replay: Replay) -> None:
    setup.proxy.set_scenario({"fault": "delay", "seconds": 0.3, "every": 2})

    summary = delivered(setup, replay, setup.ship(replay))

    assert faulted(setup, "delay")
    assert summary["duplicates"] == 0
    assert summary["retried"] == 0
    assert request_errors(summary) == {}


# --- response faults ----------------------------------------------------------------------


@pytest.mark.parametrize(("framing", "errors"), [
    ("length", {}),
    ("close", {"connection_failed": 1}),
])
def test_truncated_response_resent(setup: Setup, replay: Replay, framing: str, errors: dict[str, int]) -> None:
    setup.proxy.set_scenario({"fault": "truncate", "keep_bytes": 20, "framing": framing, "requests": [2]})

    summary = delivered(setup, replay, setup.ship(replay))

    (entry,) = faulted(setup, "truncate")
    assert summary["duplicates"] == entry["actions"]
    assert summary["retried"] == entry["actions"]
    assert request_errors(summary) == errors


def test_dropped_item_resends_batch(setup: Setup, replay: Replay) -> None:
    # One item fewer than action lines: the shipper cannot tell which result is missing, so
    # it resends the whole batch, which the cluster had stored.
    setup.proxy.set_scenario({"fault": "drop_items", "count": 1, "requests": [3]})

    result = setup.ship(replay)

    summary = delivered(setup, replay, result)
    (entry,) = faulted(setup, "drop_items")
    assert summary["duplicates"] == entry["actions"]
    assert summary["retried"] == entry["actions"]
    assert "bulk response not usable, resending the batch" in warnings(result)


# --- configuration errors -----------------------------------------------------------------


def wait_for_log(log_path: Path, message: str, timeout: float) -> None:
    harness.wait_until(lambda: message in log_path.read_text(encoding="utf-8", errors="replace"),
                       timeout=timeout, interval=0.1, description=f"the log line {message!r}")


def test_whole_400_keeps_documents_then_recovers(setup: Setup, replay: Replay, tmp_path: Path) -> None:
    # A 400 on the whole request is a configuration error: the shipper keeps the documents and
    # resends them after --configuration-error-retry. Here every request fails until the
    # scenario is cleared, well before the first resend.
    setup.proxy.set_scenario({"fault": "status", "status": 400})
    log_path = tmp_path / "replay.log"
    arguments = ["replay", str(replay.path), "--batch-size", str(BATCH_SIZE), "--flush-interval", "200ms",
                 "--configuration-error-retry", f"{CONFIGURATION_ERROR_RETRY_SECONDS}s"]

    with background_shipper(setup.shipper, arguments, log_path) as process:
        wait_for_log(log_path, "bulk request rejected, documents kept", timeout=20)
        time.sleep(1)
        assert process.poll() is None, "the shipper gave up on a configuration error"
        assert not (setup.state_dir / "dead-letter.ndjson").exists()
        assert setup.proxy.stats()["faults"] == {"status_400": 2}, "one request per worker, then waiting"
        setup.proxy.set_scenario()
        returncode = process.wait(timeout=SHIP_TIMEOUT_SECONDS)
    result = ShipperResult(["replay"], returncode, "", log_path.read_text(encoding="utf-8"))

    summary = delivered(setup, replay, result)
    assert requests_by_status(summary)[400] == 2
    assert summary["duplicates"] == 0
    assert summary["retried"] == action_count(faulted(setup, "status")), "each rejected batch was resent once"
    rejected = [line for line in result.log_lines() if line["message"].startswith("bulk request rejected")]
    assert len(rejected) == 1, "the configuration error is logged once a minute at most"


def test_whole_400_one_shot_gives_up(setup: Setup, replay: Replay) -> None:
    # replay is a one-shot command, so it resends a rejected batch three times, one retry delay
    # apart, then stops and exits 1 with the documents still unresolved.
    setup.proxy.set_scenario({"fault": "status", "status": 400})

    started = time.monotonic()
    result = setup.ship(replay, "--configuration-error-retry", "1s")
    elapsed = time.monotonic() - started

    assert result.returncode == 1, result.describe()
    assert 3 <= elapsed < SHIP_TIMEOUT_SECONDS, f"gave up after {elapsed:.1f} s"
    assert "check the cluster credentials, privileges and index settings" in result.stderr, result.describe()
    entries = faulted(setup, "status")
    requests_per_batch = Counter(tuple(entry["ids"]) for entry in entries)
    assert max(requests_per_batch.values()) == 4, requests_per_batch
    summary = result.summary()
    assert summary["acknowledged"] == 0
    assert summary["buffered"] > 0
    assert summary["documents_produced"] == summary["acknowledged"] + summary["dead_lettered"] + summary["buffered"]
    # The other worker's batch may have counted a resend that the stop cancelled before sending.
    resent = sum(len(ids) * (count - 1) for ids, count in requests_per_batch.items())
    assert resent <= summary["retried"] <= resent + BATCH_SIZE
    assert index_count(setup.cluster, INDEX) == 0
    assert not (setup.state_dir / "dead-letter.ndjson").exists()


def test_whole_400_sigterm_reports_buffered(setup: Setup, replay: Replay, tmp_path: Path) -> None:
    setup.proxy.set_scenario({"fault": "status", "status": 400})
    log_path = tmp_path / "replay.log"
    arguments = ["replay", str(replay.path), "--batch-size", str(BATCH_SIZE), "--flush-interval", "200ms",
                 "--shutdown-timeout", "1s"]

    with background_shipper(setup.shipper, arguments, log_path) as process:
        wait_for_log(log_path, "bulk request rejected, documents kept", timeout=20)
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=20)
    result = ShipperResult(["replay"], returncode, "", log_path.read_text(encoding="utf-8"))

    assert index_count(setup.cluster, INDEX) == 0
    summary = result.summary()
    assert summary["buffered"] > 0
    assert summary["documents_produced"] == summary["acknowledged"] + summary["dead_lettered"] + summary["buffered"]
    assert returncode != 0, "a replay that left documents undelivered reported success"


# --- rejected documents -------------------------------------------------------------------


def test_rejected_documents_dead_lettered_once(setup: Setup, replay: Replay) -> None:
    # The index maps one field as long, so the cluster rejects every document where that field
    # is text. Faults make the shipper resend some of them (items of several requests rewritten
    # to 429, two requests reset after forwarding), yet each rejected one is dead-lettered once.
    # The flush interval makes batch boundaries vary, so faults hit several requests to be sure
    # that some rejected document is among the resent ones.
    field = "microsoft.defender_endpoint.evidence.ipAddress"
    rejected = {document_id for document_id, document in replay.documents.items()
               if isinstance(field_value(document, field), str)}
    assert 0 < len(rejected) < len(replay.ids) // 4
    prepare_index(setup, {"microsoft": {"properties": {"defender_endpoint": {"properties": {
        "evidence": {"properties": {"ipAddress": {"type": "long"}}}}}}}})
    setup.proxy.set_scenario({"fault": "item_status", "status": 429, "items": "all", "requests": [1, 2, 4, 6]},
                             {"fault": "reset_after", "requests": [3, 5]})

    summary = require_success(setup.ship(replay))

    resent = {document_id for fault in ("item_status", "reset_after")
              for entry in faulted(setup, fault) for document_id in entry["ids"]}
    assert resent & rejected, "no rejected document was in a faulted request, so none was resent"
    dead_letters = setup.dead_letters()
    assert sorted(line["_id"] for line in dead_letters) == sorted(rejected)
    for line in dead_letters:
        assert line["status"] == 400, line
        assert line["error"]["type"] == "mapper_parsing_exception", line
    assert set(indexed_documents(setup.cluster, INDEX)) == replay.ids - rejected
    assert summary["dead_lettered"] == len(rejected)
    assert summary["acknowledged"] == len(replay.ids) - len(rejected)
    assert summary["buffered"] == 0
    assert summary["duplicates"] > 0
