"""End-to-end tests of `mde-shipper backfill` against the Defender emulator and osmem-server.

The emulator stores generated alerts whose `lastUpdateTime` values spread over the last 30 hours,
and each backfill reads the last 36 hours in 4-hour windows, so every alert lies in exactly one
of 9 windows. The tests check that every alert is shipped once, that a stopped backfill resumes
at the end of its last completed window with no gap and no window read twice, and that the
progress file records completion.
"""

from __future__ import annotations

import contextlib
import json
import re
import signal
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import harness
from harness import Cluster, Emulator
from test_end_to_end import (  # noqa: F401 (pytest fixtures are found by name)
    Shipper,
    ShipperResult,
    assert_index_matches_alerts,
    background_shipper,
    binary,
    expected_document_count,
    generated_setup,
    servers,
    start_cluster,
    state_dir,
)
from test_multi_tenant import (
    FIRST_TENANT,
    SECOND_TENANT,
    alert_ids_in_index,
    expected_counts,
    tenant_entry,
    write_config,
)

ALERT_COUNT = 400
WINDOW_ARGUMENTS = ("--backfill-window", "4h")
FILTER_PATTERN = re.compile(r"^lastUpdateTime ge (\S+) and lastUpdateTime lt (\S+)$")


def backfill_setup(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                   state_dir: Path) -> tuple[Emulator, Cluster, Shipper]:
    return generated_setup(servers, tmp_path, binary, state_dir, ALERT_COUNT, "--generate-hours", "30")


def final_line(result: ShipperResult, message: str) -> dict[str, Any]:
    """Return the last log line with `message`, or fail the test naming the command."""
    lines = [line for line in result.log_lines() if line.get("message") == message]
    assert lines, f"no {message!r} log line\n{result.describe()}"
    return lines[-1]


def read_progress(state_dir: Path, emulator: Emulator) -> dict[str, Any]:
    return json.loads((state_dir / f"backfill-{emulator.tenant_id}.json").read_text(encoding="utf-8"))


def requested_windows(emulator: Emulator) -> list[tuple[str, str]]:
    """Return the (lower, upper) bounds of every /api/alerts request, in request order."""
    windows = []
    for request in emulator.requests():
        match = FILTER_PATTERN.match(request["query"].get("$filter", ""))
        assert match, f"unexpected $filter in {request}"
        windows.append((match.group(1), match.group(2)))
    return windows


def assert_contiguous(windows: list[tuple[str, str]], since: str, until: str) -> None:
    """Assert that the windows cover [since, until) in order with no gap and no overlap."""
    assert windows, "no /api/alerts request"
    assert windows[0][0] == since
    assert windows[-1][1] == until
    for (_, upper), (lower, _) in zip(windows, windows[1:]):
        assert lower == upper, f"gap or overlap between windows: {windows}"


def rfc3339_hours_ago(hours: float) -> str:
    moment = datetime.now(timezone.utc) - timedelta(hours=hours)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_backfill_ships_every_alert_once(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                                         state_dir: Path) -> None:
    emulator, cluster, shipper = backfill_setup(servers, tmp_path, binary, state_dir)
    alerts = emulator.alerts()
    expected_documents = sum(expected_document_count(alert) for alert in alerts)

    result = shipper.run("backfill", "--since", "36h", *WINDOW_ARGUMENTS)

    assert result.returncode == 0, result.describe()
    finished = final_line(result, "backfill finished")
    assert finished["alerts_read"] == ALERT_COUNT
    assert finished["documents_produced"] == expected_documents
    assert finished["acknowledged"] == expected_documents
    assert finished["duplicates"] == 0
    assert finished["dead_lettered"] == 0
    assert_index_matches_alerts(cluster, alerts)

    window_lines = [line for line in result.log_lines() if line.get("message") == "backfill window completed"]
    assert [line["windows.done"] for line in window_lines] == list(range(1, 10))
    assert {line["windows.total"] for line in window_lines} == {9}
    assert window_lines[-1]["alerts_read"] == ALERT_COUNT

    progress = read_progress(state_dir, emulator)
    assert progress["finished"] is True
    assert progress["completed_until"] == progress["until"]
    assert progress["windows_done"] == 9
    assert progress["alerts_read"] == ALERT_COUNT
    assert_contiguous(requested_windows(emulator), progress["since"], progress["until"])
    # The polling cursor of `run` stays untouched.
    assert not (state_dir / f"cursor-{emulator.tenant_id}.json").exists()


def test_backfill_resumes_after_sigterm(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                                        state_dir: Path) -> None:
    emulator, cluster, shipper = backfill_setup(servers, tmp_path, binary, state_dir)
    alerts = emulator.alerts()
    log_path = tmp_path / "stopped-backfill.log"

    with background_shipper(shipper, ["backfill", "--since", "36h", *WINDOW_ARGUMENTS], log_path) as process:
        harness.wait_until(
            lambda: process.poll() is not None or "backfill window completed" in log_path.read_text(encoding="utf-8"),
            timeout=60, interval=0.02, description="the first completed window")
        assert process.poll() is None, "the backfill finished before it could be stopped"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 1
    stopped = ShipperResult(["backfill (background)"], 1, "", log_path.read_text(encoding="utf-8"))
    stop_line = final_line(stopped, "backfill stopped by shutdown")
    progress = read_progress(state_dir, emulator)
    assert progress["finished"] is False
    assert 1 <= progress["windows_done"] < 9
    assert progress["completed_until"] == stop_line["backfill.completed_until"]
    first_windows = requested_windows(emulator)
    assert first_windows[-1][1] == progress["completed_until"], "the stopped run left a window unsaved"

    emulator.reset_stats()
    result = shipper.run("backfill", *WINDOW_ARGUMENTS)

    assert result.returncode == 0, result.describe()
    assert final_line(result, "resuming saved backfill")["completed_until"] == progress["completed_until"]
    finished = final_line(result, "backfill finished")
    assert finished["duplicates"] == 0
    assert finished["backfill.alerts_read"] == ALERT_COUNT
    assert finished["backfill.windows_done"] == 9
    assert stop_line["alerts_read"] + finished["alerts_read"] == ALERT_COUNT
    assert_contiguous(first_windows + requested_windows(emulator), progress["since"], progress["until"])
    assert_index_matches_alerts(cluster, alerts)
    assert read_progress(state_dir, emulator)["finished"] is True


def test_backfill_with_same_since_extends_range(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                                               state_dir: Path) -> None:
    emulator, cluster, shipper = backfill_setup(servers, tmp_path, binary, state_dir)
    alerts = emulator.alerts()
    since, middle = rfc3339_hours_ago(36), rfc3339_hours_ago(18)

    first = shipper.run("backfill", "--since", since, "--until", middle, *WINDOW_ARGUMENTS)
    assert first.returncode == 0, first.describe()
    first_alerts = final_line(first, "backfill finished")["alerts_read"]
    assert 0 < first_alerts < ALERT_COUNT
    assert read_progress(state_dir, emulator)["completed_until"] == middle

    emulator.reset_stats()
    second = shipper.run("backfill", "--since", since, *WINDOW_ARGUMENTS)
    assert second.returncode == 0, second.describe()
    finished = final_line(second, "backfill finished")
    assert requested_windows(emulator)[0][0] == middle
    assert finished["duplicates"] == 0
    assert first_alerts + finished["alerts_read"] == ALERT_COUNT
    assert_index_matches_alerts(cluster, alerts)

    # Another start is another range, so the backfill starts again and logs a warning.
    third = shipper.run("backfill", "--since", rfc3339_hours_ago(35), *WINDOW_ARGUMENTS)
    assert third.returncode == 0, third.describe()
    assert final_line(third, "saved backfill has another range, starting a new one")["saved.since"] == since
    assert final_line(third, "backfill finished")["duplicates"] > 0


def test_backfill_rejects_since_after_until(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                                            state_dir: Path) -> None:
    emulator, _, shipper = backfill_setup(servers, tmp_path, binary, state_dir)

    result = shipper.run("backfill", "--since", "2h", "--until", "3h")

    assert result.returncode == 2, result.describe()
    assert "is not before until" in final_line(result, "invalid configuration")["error.message"]
    assert emulator.requests() == []
    assert not (state_dir / f"backfill-{emulator.tenant_id}.json").exists()


def start_generated_tenant(servers: contextlib.ExitStack, tmp_path: Path, tenant_id: str, alerts: int,
                           seed: int) -> Emulator:
    """Start an emulator for `tenant_id` with `alerts` generated alerts spread over the last 30 hours."""
    return servers.enter_context(harness.running_emulator(
        "--quiet", "--no-samples", "--generate", str(alerts), "--generate-hours", "30", "--seed", str(seed),
        tenant_id=tenant_id, log_dir=tmp_path / "logs" / tenant_id))


def backfill_two_tenants(servers: contextlib.ExitStack, tmp_path: Path, binary: Path, state_dir: Path,
                         second_secret: str | None = None) -> tuple[Emulator, Emulator, Cluster, ShipperResult]:
    """Run one backfill over two tenants, each served by its own emulator, into one cluster."""
    first = start_generated_tenant(servers, tmp_path, FIRST_TENANT, 150, seed=11)
    second = start_generated_tenant(servers, tmp_path, SECOND_TENANT, 90, seed=22)
    cluster = start_cluster(servers, tmp_path)
    config = write_config(tmp_path, [
        tenant_entry(first, "first"),
        tenant_entry(second, "second", secret=second_secret),
    ])
    shipper = Shipper(binary, state_dir, emulator=None, cluster=cluster)
    result = shipper.run("backfill", "--config", str(config), "--since", "36h", *WINDOW_ARGUMENTS)
    return first, second, cluster, result


def test_backfill_ships_every_tenant(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                                     state_dir: Path) -> None:
    first, second, cluster, result = backfill_two_tenants(servers, tmp_path, binary, state_dir)

    assert result.returncode == 0, result.describe()
    expected_first, expected_second = expected_counts(first), expected_counts(second)
    assert not expected_first.keys() & expected_second.keys(), "the two emulators generated the same alert ids"
    assert alert_ids_in_index(cluster) == expected_first | expected_second
    finished = {line["tenant"]: line for line in result.log_lines() if line.get("message") == "backfill finished"}
    assert finished[FIRST_TENANT]["alerts_read"] == len(expected_first)
    assert finished[FIRST_TENANT]["tenant.name"] == "first"
    assert finished[SECOND_TENANT]["alerts_read"] == len(expected_second)
    assert final_line(result, "backfill of every tenant ended")["tenants.failed"] == 0
    for emulator in (first, second):
        progress = read_progress(state_dir, emulator)
        assert progress["tenant"] == emulator.tenant_id
        assert progress["finished"] is True
        assert progress["alerts_read"] == len(emulator.alerts())
        assert_contiguous(requested_windows(emulator), progress["since"], progress["until"])


def test_backfill_finishes_other_tenants(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                                         state_dir: Path) -> None:
    wrong_secret = "wrong-secret-value-for-backfill"
    first, second, cluster, result = backfill_two_tenants(servers, tmp_path, binary, state_dir, wrong_secret)

    assert result.returncode == 1, result.describe()
    assert alert_ids_in_index(cluster) == expected_counts(first)
    assert read_progress(state_dir, first)["finished"] is True
    assert read_progress(state_dir, second)["completed_until"] is None
    failed = final_line(result, "tenant failed")
    assert failed["tenant"] == SECOND_TENANT
    assert failed["error.detail_code"] == "AADSTS7000215"
    assert final_line(result, "backfill of every tenant ended")["tenants.failed"] == 1
    assert f"1 of 2 tenants failed: {SECOND_TENANT} (second): token_rejected AADSTS7000215" in final_line(
        result, "backfill failed")["error.message"]
    assert wrong_secret not in result.stdout + result.stderr
