"""End-to-end test of the shipper's client-side quota on Defender API calls.

The emulator responds with 429 after 12 alerts calls in any 60 s, and the shipper may make 10.
With 98 alerts and 5 per page, one `run --once` needs 20 calls, so the shipper sends 10 without
waiting, waits about a minute for the first of them to leave its window, and sends the other 10.
The run takes a little over a minute.

A second test keeps the API's own limits on both sides (100 calls in any 60 s): 1,050 alerts at 10
per page need more than 100 calls, so the default quota must make the run wait once.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from test_end_to_end import (  # noqa: F401 (pytest fixtures are found by name)
    Shipper,
    binary,
    expected_document_count,
    index_count,
    require_success,
    servers,
    start_cluster,
    start_emulator,
    state_dir,
)

INDEX = "mde-api-quota"
ALERTS = 98
PAGE_SIZE = 5
EMULATOR_LIMIT_PER_MINUTE = 12
SHIPPER_LIMIT_PER_MINUTE = 10
# 20 calls at 10 per minute end about 61 s after the first, so this leaves room for a slow machine.
RUN_TIMEOUT_SECONDS = 180.0


def test_quota_keeps_calls_under_limit(servers: contextlib.ExitStack, tmp_path: Path,
                                       binary: Path, state_dir: Path) -> None:
    emulator = start_emulator(
        servers, tmp_path, "--no-samples", "--generate", str(ALERTS), "--generate-hours", "2",
        "--rate-limit-per-minute", str(EMULATOR_LIMIT_PER_MINUTE))
    cluster = start_cluster(servers, tmp_path)
    shipper = Shipper(binary, state_dir, emulator, cluster, index=INDEX)
    expected = sum(expected_document_count(alert) for alert in emulator.alerts())

    result = shipper.run_once("--page-size", str(PAGE_SIZE), "--api-calls-per-minute", str(SHIPPER_LIMIT_PER_MINUTE),
                              timeout=RUN_TIMEOUT_SECONDS)

    summary = require_success(result)
    assert summary.get("documents_produced") == expected, summary
    assert summary.get("acknowledged") == expected, summary
    assert index_count(cluster, INDEX) == expected

    stats = emulator.stats()
    pages = ALERTS // PAGE_SIZE + 1
    assert stats["calls"].get("alerts") == pages, stats
    assert stats["max_alert_calls_in_60s"] <= SHIPPER_LIMIT_PER_MINUTE, stats
    assert stats["responses_429"] == 0, stats

    waits = [line for line in result.log_lines() if line.get("message") == "quota wait"]
    assert waits, f"no 'quota wait' log line\n{result.describe()}"
    assert {line.get("quota.limit") for line in waits} == {"minute"}, waits
    assert all(line.get("tenant") == emulator.tenant_id for line in waits), waits
    assert all(isinstance(line.get("retry.after_seconds"), int) for line in waits), waits
    assert summary.get("quota.waits") == len(waits), summary


DEFAULT_LIMIT_PER_MINUTE = 100
DEFAULT_LIMIT_ALERTS = 1050
DEFAULT_LIMIT_PAGE_SIZE = 10


def test_default_quota_stays_under_api_limit(servers: contextlib.ExitStack, tmp_path: Path,
                                             binary: Path, state_dir: Path) -> None:
    emulator = start_emulator(
        servers, tmp_path, "--no-samples", "--generate", str(DEFAULT_LIMIT_ALERTS), "--generate-hours", "2",
        "--rate-limit-per-minute", str(DEFAULT_LIMIT_PER_MINUTE))
    cluster = start_cluster(servers, tmp_path)
    shipper = Shipper(binary, state_dir, emulator, cluster, index=INDEX)
    expected = sum(expected_document_count(alert) for alert in emulator.alerts())

    result = shipper.run_once("--page-size", str(DEFAULT_LIMIT_PAGE_SIZE), timeout=RUN_TIMEOUT_SECONDS)

    summary = require_success(result)
    assert summary.get("acknowledged") == expected, summary
    assert index_count(cluster, INDEX) == expected

    stats = emulator.stats()
    assert stats["calls"].get("alerts", 0) > DEFAULT_LIMIT_PER_MINUTE, stats
    assert stats["max_alert_calls_in_60s"] <= DEFAULT_LIMIT_PER_MINUTE, stats
    assert stats["responses_429"] == 0, stats
    assert summary.get("quota.waits", 0) >= 1, summary
