"""End-to-end tests of a shutdown request that arrives while the shipper waits for its call quota.

The emulator stores 60 generated alerts from the last 2 hours, and the shipper reads them 5 per
page with a quota of 3 calls per minute, so after 3 pages it waits about a minute for the next
call. SIGTERM during that wait must end the process within a few seconds, well before the 30 s
`--shutdown-timeout`. The pages read so far must be delivered, and the cursor or backfill progress
must stay before the unread alerts, so the next start indexes every alert exactly once.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import time
from pathlib import Path

import harness
from test_end_to_end import (  # noqa: F401 (pytest fixtures are found by name)
    ShipperResult,
    assert_index_matches_alerts,
    background_shipper,
    binary,
    expected_document_count,
    generated_setup,
    index_count,
    require_success,
    servers,
    state_dir,
)

ALERT_COUNT = 60
SLOW_QUOTA = ("--page-size", "5", "--api-calls-per-minute", "3")
# The shipper checks for shutdown every 200 ms; the rest is the flush and the process exit.
EXIT_WITHIN_SECONDS = 5.0


def stop_during_quota_wait(process: subprocess.Popen, log_path: Path) -> tuple[int, float, str]:
    """Send SIGTERM once the shipper logs a quota wait. Return its exit status, seconds to exit and log."""
    harness.wait_until(
        lambda: process.poll() is not None or "quota wait" in log_path.read_text(encoding="utf-8"),
        timeout=60, interval=0.05, description="the first quota wait")
    assert process.poll() is None, "the shipper exited before its first quota wait"
    process.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    returncode = process.wait(timeout=40)
    return returncode, time.monotonic() - signalled, log_path.read_text(encoding="utf-8", errors="replace")


def test_run_stops_during_quota_wait(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                                     state_dir: Path) -> None:
    emulator, cluster, shipper = generated_setup(
        servers, tmp_path, binary, state_dir, ALERT_COUNT, "--generate-hours", "2")
    alerts = emulator.alerts()
    expected = sum(expected_document_count(alert) for alert in alerts)
    log_path = tmp_path / "stopped-run.log"

    with background_shipper(shipper, ["run", *SLOW_QUOTA], log_path) as process:
        returncode, seconds, log = stop_during_quota_wait(process, log_path)

    assert returncode == 0, log[-4000:]
    assert seconds < EXIT_WITHIN_SECONDS, log[-4000:]
    assert "shutdown deadline reached" not in log
    assert "cycle interrupted by shutdown" in log
    delivered = index_count(cluster)
    assert 0 < delivered < expected, "the pages read before the signal were not delivered"

    result = shipper.run_once()

    summary = require_success(result)
    assert summary.get("documents_produced") == expected, summary
    assert summary.get("duplicates") == delivered, summary
    assert_index_matches_alerts(cluster, alerts)


def test_backfill_stops_during_quota_wait(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                                          state_dir: Path) -> None:
    emulator, cluster, shipper = generated_setup(
        servers, tmp_path, binary, state_dir, ALERT_COUNT, "--generate-hours", "2")
    alerts = emulator.alerts()
    log_path = tmp_path / "stopped-backfill.log"

    backfill = ["backfill", "--since", "3h", "--backfill-window", "4h", *SLOW_QUOTA]
    with background_shipper(shipper, backfill, log_path) as process:
        returncode, seconds, log = stop_during_quota_wait(process, log_path)

    assert returncode == 1, log[-4000:]
    assert seconds < EXIT_WITHIN_SECONDS, log[-4000:]
    assert "shutdown deadline reached" not in log
    assert "backfill stopped by shutdown" in log
    assert index_count(cluster) > 0, "the pages read before the signal were not delivered"

    result = shipper.run("backfill", "--backfill-window", "4h")

    assert result.returncode == 0, result.describe()
    assert_index_matches_alerts(cluster, alerts)
