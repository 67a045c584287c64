#!/usr/bin/env python3
"""Memory run: check that mde-shipper's RSS stays flat while the cluster responds with 503.

Starts osmem-server, the Defender emulator and an outage proxy (outage_proxy.py) on 127.0.0.1,
then the release `mde-shipper run` against the proxy, and samples the shipper's VmRSS and VmHWM
from /proc every second through three phases:

  before  the cluster is healthy for --before-seconds (default 30)
  during  every `_bulk` and template request gets 503 for --outage-seconds (default 300)
  after   the cluster is healthy again until the index contains every expected document,
          for at most --after-timeout seconds (default 120)

New alerts are added through the emulator's control API every --add-interval seconds during the
first two phases. At the end the shipper gets SIGTERM and must exit 0.

The exit status is 1 when the during-phase peak RSS exceeds 2 x the before-phase peak + 64 MiB
(growth that a bounded buffer cannot explain), when a document is missing from the index, or
when the shipper exits early or with a non-zero status; 2 when the setup fails.

    swift build -c release
    .venv/bin/python benchmarks/memory_run.py [--outage-seconds 30]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration-tests"))

import harness  # noqa: E402
from harness import Cluster, Emulator  # noqa: E402
from outage_proxy import OutageProxy, start_outage_proxy  # noqa: E402
# The end-to-end tests own the shipper command line and the rule for how many documents an alert gives.
from test_end_to_end import Shipper, background_shipper, expected_document_count, field_value  # noqa: E402

INDEX = "mde-memory-run"
SHIPPER_ARGUMENTS = ["run", "--poll-interval", "10s", "--lag", "1s", "--initial-lookback", "1h"]
MIB = 1024 * 1024
# Failure rule for the outage: peak RSS above GROWTH_FACTOR x the before-phase peak + GROWTH_SLACK.
GROWTH_FACTOR = 2.0
GROWTH_SLACK_MIB = 64.0
SEARCH_WINDOW = 10_000  # osmem-server's largest _search page
SHUTDOWN_WAIT_SECONDS = 45.0  # the shipper's default --shutdown-timeout (30 s) plus a margin


class RunFailed(Exception):
    """A check of the memory run failed; the message names the check and the values."""


@dataclass
class Sample:
    seconds: float
    phase: str
    rss_kib: int
    hwm_kib: int


@dataclass
class RunState:
    """State shared by the sampling and feeding threads and the main thread."""

    phase: str = "start"
    samples: list[Sample] = field(default_factory=list)
    added_alerts: int = 0
    feeding: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outage-seconds", type=float, default=300.0,
                        help="seconds of 503 responses to _bulk and template requests (default 300)")
    parser.add_argument("--before-seconds", type=float, default=30.0,
                        help="seconds of healthy cluster before the outage (default 30)")
    parser.add_argument("--after-timeout", type=float, default=120.0,
                        help="maximum seconds after the outage to wait for every document (default 120)")
    parser.add_argument("--alerts", type=int, default=3000, help="alerts generated at start (default 3000)")
    parser.add_argument("--add-interval", type=float, default=5.0,
                        help="seconds between batches of new alerts during the first two phases (default 5)")
    parser.add_argument("--add-count", type=int, default=10, help="alerts per added batch (default 10)")
    parser.add_argument("--max-added", type=int, default=700,
                        help="maximum alerts added while running, so the index stays under one "
                             "_search page (default 700)")
    parser.add_argument("--configuration", choices=("release", "debug"), default="release",
                        help="which build of mde-shipper to run (default release)")
    parser.add_argument("--keep-logs", type=Path, help="write the server and shipper logs to this folder")
    parser.add_argument("--samples-csv", type=Path,
                        help="write every memory sample (seconds, phase, VmRSS and VmHWM in KiB) to this CSV file")
    return parser.parse_args()


def read_memory_kib(pid: int) -> tuple[int, int] | None:
    """Return (VmRSS, VmHWM) in KiB from /proc/<pid>/status, or None once the process is gone."""
    values: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                name, _, rest = line.partition(":")
                if name in ("VmRSS", "VmHWM"):
                    values[name] = int(rest.split()[0])
    except (OSError, ValueError):
        return None
    if len(values) < 2:
        return None  # A zombie has no memory lines.
    return values["VmRSS"], values["VmHWM"]


def sample_memory(pid: int, state: RunState, started: float) -> None:
    while not state.stop.is_set():
        memory = read_memory_kib(pid)
        if memory is None:
            return
        state.samples.append(Sample(time.monotonic() - started, state.phase, *memory))
        state.stop.wait(1.0)


def feed_alerts(emulator: Emulator, state: RunState, interval: float, count: int, limit: int) -> None:
    """Add `count` alerts every `interval` seconds while `feeding` is set, `limit` in all.

    Each batch's lastUpdateTime values lie in the last second, so they are later than any cursor
    a shipper with a 1 s lag has stored and it cannot miss them.
    """
    while not state.stop.wait(interval):
        if not state.feeding.is_set() or state.added_alerts >= limit:
            continue
        batch = min(count, limit - state.added_alerts)
        try:
            emulator.generate_alerts(batch, span_seconds=1, newest_age_seconds=0)
        except (harness.HarnessError, OSError) as error:
            print(f"memory-run: adding alerts failed: {error}", file=sys.stderr)
            continue
        state.added_alerts += batch


def start_background(target: Any, *arguments: Any) -> threading.Thread:
    thread = threading.Thread(target=target, args=arguments, daemon=True)
    thread.start()
    return thread


def index_count(cluster: Cluster) -> int:
    if cluster.request("POST", f"{INDEX}/_refresh").status == 404:
        return 0
    return cluster.count(INDEX)


def missing_documents(cluster: Cluster, alerts: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """Return {alert id: (expected, indexed)} for every alert whose document count is wrong."""
    expected = {alert["id"]: expected_document_count(alert) for alert in alerts}
    if sum(expected.values()) > SEARCH_WINDOW:
        raise RunFailed(f"{sum(expected.values())} expected documents exceed one _search page "
                        f"({SEARCH_WINDOW}); lower --alerts or --max-added")
    cluster.refresh(INDEX)
    hits = cluster.search(INDEX, {"query": {"match_all": {}}, "size": SEARCH_WINDOW})["hits"]["hits"]
    indexed: dict[str, int] = {}
    for hit in hits:
        alert_id = field_value(hit["_source"], "event.id")
        indexed[alert_id] = indexed.get(alert_id, 0) + 1
    wrong = {}
    for alert_id in expected.keys() | indexed.keys():
        want = expected.get(alert_id, 0)
        have = indexed.get(alert_id, 0)
        if want != have:
            wrong[alert_id] = (want, have)
    return wrong


def wait_for_catch_up(cluster: Cluster, emulator: Emulator, process: subprocess.Popen,
                      timeout: float) -> tuple[int, float]:
    """Wait until the index matches the emulator's alerts; return (documents, seconds taken)."""
    alerts = emulator.alerts()
    expected_total = sum(expected_document_count(alert) for alert in alerts)
    started = time.monotonic()
    deadline = started + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RunFailed(f"the shipper exited with status {process.returncode} before catching up")
        if index_count(cluster) >= expected_total and not missing_documents(cluster, alerts):
            return expected_total, time.monotonic() - started
        time.sleep(2.0)
    wrong = missing_documents(cluster, alerts)
    examples = ", ".join(f"{key}: expected {want}, indexed {have}" for key, (want, have) in list(wrong.items())[:5])
    raise RunFailed(f"after {timeout:.0f} s the index contains {index_count(cluster)} of {expected_total} expected "
                    f"documents; {len(wrong)} alerts differ ({examples})")


def log_records(log_path: Path, start: int, end: int | None) -> list[dict[str, Any]]:
    """Return the JSON log lines between byte offsets `start` and `end` of the shipper's log."""
    with log_path.open("rb") as log:
        log.seek(start)
        data = log.read() if end is None else log.read(end - start)
    records = []
    for line in data.splitlines():
        with contextlib.suppress(ValueError):
            value = json.loads(line)
            if isinstance(value, dict):
                records.append(value)
    return records


def describe_log(records: list[dict[str, Any]]) -> str:
    retries = [record for record in records if record.get("message") == "bulk request failed, retrying the batch"]
    attempts = [record.get("retry.attempt", 0) for record in retries]
    documents = [record.get("bulk.documents", 0) for record in retries]
    pages = sum(1 for record in records if record.get("message") == "alerts page fetched")
    cycles = sum(1 for record in records if record.get("message") == "cycle finished")
    errors = sum(1 for record in records if record.get("log.level") == "error")
    return (f"retry_warnings={len(retries)} max_retry_attempt={max(attempts, default=0)} "
            f"max_batch_documents_retried={max(documents, default=0)} alert_pages_fetched={pages} "
            f"cycles_finished={cycles} errors={errors}")


def mib(kib: int) -> float:
    return kib / 1024.0


def phase_peak_mib(state: RunState, phase: str) -> float:
    return max((mib(sample.rss_kib) for sample in state.samples if sample.phase == phase), default=0.0)


def print_phase(state: RunState, phase: str, seconds: float, proxy_counts: dict[str, int], log_text: str) -> None:
    """Print one line per phase; the first and last 60 s peaks show a trend within a long phase."""
    samples = [sample for sample in state.samples if sample.phase == phase]
    final = mib(samples[-1].rss_kib) if samples else 0.0
    hwm = mib(samples[-1].hwm_kib) if samples else 0.0
    first_minute = max((mib(sample.rss_kib) for sample in samples[:60]), default=0.0)
    last_minute = max((mib(sample.rss_kib) for sample in samples[-60:]), default=0.0)
    requests = " ".join(f"{key}={value}" for key, value in sorted(proxy_counts.items()))
    print(f"phase={phase} seconds={seconds:.0f} samples={len(samples)} peak_rss_mib={phase_peak_mib(state, phase):.1f} "
          f"final_rss_mib={final:.1f} first_60s_peak_mib={first_minute:.1f} last_60s_peak_mib={last_minute:.1f} "
          f"vm_hwm_mib={hwm:.1f} alerts_added={state.added_alerts} {log_text} requests: {requests}", flush=True)


def write_samples(state: RunState, path: Path) -> None:
    with path.open("w", encoding="utf-8") as output:
        output.write("seconds,phase,vm_rss_kib,vm_hwm_kib\n")
        for sample in state.samples:
            output.write(f"{sample.seconds:.1f},{sample.phase},{sample.rss_kib},{sample.hwm_kib}\n")


def counts_since(proxy: OutageProxy, previous: dict[str, int]) -> dict[str, int]:
    current = proxy.snapshot()
    return {key: value - previous.get(key, 0) for key, value in current.items() if value != previous.get(key, 0)}


def stop_shipper(process: subprocess.Popen) -> float:
    """Send SIGTERM and return the seconds until exit; raise RunFailed unless it exits 0."""
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        returncode = process.wait(timeout=SHUTDOWN_WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        raise RunFailed(f"the shipper did not exit within {SHUTDOWN_WAIT_SECONDS:.0f} s of SIGTERM") from None
    if returncode != 0:
        raise RunFailed(f"the shipper exited with status {returncode} after SIGTERM, expected 0")
    return time.monotonic() - started


def sleep_phase(process: subprocess.Popen, seconds: float, phase: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RunFailed(f"the shipper exited with status {process.returncode} during the {phase} phase")
        time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))


def run(arguments: argparse.Namespace, log_dir: Path) -> int:
    binary = harness.shipper_binary(arguments.configuration)
    state = RunState()
    emulator_args = ["--generate", str(arguments.alerts), "--generate-hours", "0.5",
                     "--newest-age-seconds", "5", "--no-samples", "--quiet"]
    with harness.running_osmem(log_dir) as cluster, harness.running_emulator(*emulator_args, log_dir=log_dir) as emulator:
        proxy = start_outage_proxy(cluster.url)
        try:
            state_dir = Path(tempfile.mkdtemp(prefix="state-", dir=log_dir))
            shipper = Shipper(binary, state_dir, emulator, Cluster(proxy.url), INDEX)
            log_path = log_dir / "shipper.log"
            with background_shipper(shipper, SHIPPER_ARGUMENTS, log_path) as process:
                try:
                    return run_phases(arguments, state, process, proxy, cluster, emulator, log_path)
                except RunFailed:
                    tail = log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-20:]
                    print("shipper log (last 20 lines):\n" + "\n".join(tail), file=sys.stderr)
                    raise
                finally:
                    state.stop.set()
                    if arguments.samples_csv is not None:
                        write_samples(state, arguments.samples_csv)
        finally:
            proxy.shutdown()
            proxy.server_close()


def run_phases(arguments: argparse.Namespace, state: RunState, process: subprocess.Popen, proxy: OutageProxy,
               cluster: Cluster, emulator: Emulator, log_path: Path) -> int:
    started = time.monotonic()
    start_background(sample_memory, process.pid, state, started)
    start_background(feed_alerts, emulator, state, arguments.add_interval, arguments.add_count, arguments.max_added)
    offsets = [0]
    counts: dict[str, int] = {}

    def finish_phase(phase: str, seconds: float) -> None:
        nonlocal counts
        offsets.append(log_path.stat().st_size)
        print_phase(state, phase, seconds, counts_since(proxy, counts), describe_log(log_records(log_path, *offsets[-2:])))
        counts = proxy.snapshot()

    state.phase = "before"
    state.feeding.set()
    sleep_phase(process, arguments.before_seconds, "before")
    finish_phase("before", arguments.before_seconds)

    state.phase = "during"
    proxy.outage.set()
    sleep_phase(process, arguments.outage_seconds, "during")
    proxy.outage.clear()
    state.feeding.clear()
    finish_phase("during", arguments.outage_seconds)

    state.phase = "after"
    time.sleep(arguments.add_interval)  # lets a batch being added when feeding stopped land first
    documents, catch_up_seconds = wait_for_catch_up(cluster, emulator, process, arguments.after_timeout)
    finish_phase("after", catch_up_seconds + arguments.add_interval)
    return finish_run(state, process, log_path, documents, arguments.outage_seconds)


def finish_run(state: RunState, process: subprocess.Popen, log_path: Path, documents: int, outage_seconds: float) -> int:
    hwm_before_stop = mib(state.samples[-1].hwm_kib) if state.samples else 0.0
    stop_seconds = stop_shipper(process)
    finished = [record for record in log_records(log_path, 0, None) if record.get("message") == "run finished"]
    totals = {key: value for key, value in (finished[-1] if finished else {}).items()
              if key in ("alerts_read", "documents_produced", "acknowledged", "duplicates", "dead_lettered",
                         "buffered", "retried") or key.startswith("bulk.requests")}
    print(f"shutdown: exit_status=0 seconds={stop_seconds:.1f} vm_hwm_mib={hwm_before_stop:.1f} run_finished={json.dumps(totals)}")

    before = phase_peak_mib(state, "before")
    during = phase_peak_mib(state, "during")
    after = phase_peak_mib(state, "after")
    print(f"memory-run: before_peak_mib={before:.1f} during_peak_mib={during:.1f} after_peak_mib={after:.1f} "
          f"outage_seconds={outage_seconds:.0f} documents={documents}", flush=True)
    limit = GROWTH_FACTOR * before + GROWTH_SLACK_MIB
    if during > limit:
        raise RunFailed(f"during-outage peak RSS {during:.1f} MiB exceeds {GROWTH_FACTOR:g} x the before-phase "
                        f"peak ({before:.1f} MiB) + {GROWTH_SLACK_MIB:g} MiB = {limit:.1f} MiB")
    return 0


def raise_keyboard_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main() -> int:
    arguments = parse_arguments()
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    try:
        with harness.log_directory(arguments.keep_logs) as log_dir:
            return run(arguments, log_dir)
    except RunFailed as error:
        print(f"memory-run: FAILED: {error}", file=sys.stderr)
        return 1
    except harness.HarnessError as error:
        print(f"memory-run: setup failed: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("memory-run: interrupted, every started process was stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
