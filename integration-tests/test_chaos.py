"""Chaos test: over 50,000 documents through every `_bulk` fault, rejected documents and three SIGKILLs.

The Defender emulator serves generated alerts (0 to 3 evidence items each) and `mde-shipper run
--once` ships them through fault_proxy.py into osmem-server. The proxy applies every fault kind at
random (each rule with its own `probability` and `seed`). A whole-request 400 is a configuration
error, so the shipper keeps the batch and resends it after `--configuration-error-retry` (2 s
here instead of the default minute). The run would give up only if whole requests kept failing
for three such waits with none accepted in between. The index is created beforehand with `user.email`
mapped as `long`, so the cluster rejects every document with an e-mail address with
`mapper_parsing_exception`. The shipper is killed with SIGKILL when the index contains 20 %, 45 %
and 70 % of the documents it should end with. It is restarted each time with the same state
folder and finally left to finish.

The expected documents come from a dry run of the same alerts (`replay` without `--hosts`). At the
end every expected `_id` except the rejected ones is in the index once and nothing else is, the
final run's counters balance, and the dead-letter file holds exactly the rejected documents, each
once. A killed run keeps the cursor of the parts of the window it completed, so its restart reads
the rest again and the cluster refuses the same documents again. The dead-letter writer keeps one
line per `_index` and `_id`, so no line repeats.

The `chaos:` line covers the whole test, all four runs: `produced` is the documents the alerts map
to (the dry run), `acknowledged` the distinct `_id`s in the index, `dead_lettered` the distinct
`_id`s in the dead-letter file, and `duplicates` the 409 items the proxy relayed to the shipper.
A killed run reports no counters, so the final run's own counters follow on a `chaos final run:`
line.

The shipper is the release build (`swift build -c release`) when that build is at least as new as
the debug build, else the debug build. On a shared 2-core machine the test took 2.5 to 3.7 minutes
with the release build and 3.9 minutes with the debug build (three runs in all). That the builds
differ so little suggests that osmem-server and the proxy, more than the shipper, set the pace.
With the whole-request 400 in the mix, three debug-build runs took 6.6 to 7.7 minutes while other
builds kept the load average between 4.5 and 6.5 on the 2 cores. The 5 to 11 whole-request 400s
of a run add one 2 s wait each, so at most 22 s, to one of the two request slots.
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

import harness
from harness import Cluster, Emulator, FaultProxy
from test_end_to_end import (
    Shipper, background_shipper, field_value, index_count, parse_bulk_ndjson, require_success,
)

pytestmark = pytest.mark.chaos

INDEX = "mde-chaos"
ALERT_COUNT = 29_000  # about 1.74 documents an alert, so just over 50,000 documents
MINIMUM_DOCUMENTS = 50_000
SEED = 20261204
BATCH_SIZE = 500
KILL_FRACTIONS = (0.20, 0.45, 0.70)
REJECTED_FIELD = "user.email"
# Time limits of each killed run's wait and of the final run (or the dry run), in seconds. Both
# builds needed under 100 s for each in the runs measured on 2 cores, so these leave room.
PHASE_TIMEOUT_SECONDS = 240.0
FINAL_RUN_TIMEOUT_SECONDS = 480.0
SEARCH_PAGE = 10_000  # osmem-server's result window: from + size must stay within it
RUN_ARGUMENTS = ("run", "--once", "--batch-size", str(BATCH_SIZE), "--flush-interval", "200ms",
                 "--configuration-error-retry", "2s")

# One rule per fault kind, each drawing from its own seeded generator. The first rule that selects
# a request applies, and about a quarter of the requests get a fault.
FAULT_RULES: tuple[dict[str, Any], ...] = (
    {"fault": "item_status", "status": 429, "items": {"every": 7}, "probability": 0.03},
    {"fault": "item_status", "status": 503, "items": {"first": 25}, "probability": 0.03},
    {"fault": "status", "status": 429, "probability": 0.02},
    {"fault": "status", "status": 503, "retry_after": 1, "probability": 0.02},
    {"fault": "status", "status": 413, "over_bytes": 400_000, "probability": 0.04},
    {"fault": "reset_before", "probability": 0.02},
    {"fault": "reset_after", "probability": 0.02},
    {"fault": "delay", "seconds": 0.5, "probability": 0.03},
    {"fault": "truncate", "keep_bytes": 20, "framing": "length", "probability": 0.015},
    {"fault": "truncate", "keep_bytes": 20, "framing": "close", "probability": 0.015},
    {"fault": "drop_items", "count": 2, "probability": 0.02},
    {"fault": "status", "status": 400, "probability": 0.02},
)
FAULT_KINDS = {"item_status", "status_400", "status_429", "status_503", "status_413", "reset_before",
               "reset_after", "delay", "truncate", "drop_items"}


def seeded_rules(seed: int) -> list[dict[str, Any]]:
    return [{**rule, "seed": seed + position} for position, rule in enumerate(FAULT_RULES)]


@dataclass
class Plan:
    """The documents a dry run of the emulator's alerts produces, and those the cluster rejects."""

    ids: set[str]
    rejected: set[str]

    @property
    def indexed(self) -> set[str]:
        return self.ids - self.rejected


@dataclass
class Chaos:
    """The servers of one chaos run and a shipper that reaches the cluster through the proxy."""

    emulator: Emulator
    cluster: Cluster
    proxy: FaultProxy
    shipper: Shipper
    state_dir: Path
    log_dir: Path


def chaos_binary() -> Path:
    """Return the release build when it exists and is not older than the debug build, else debug."""
    debug = harness.shipper_binary("debug")
    with contextlib.suppress(harness.HarnessError, OSError):
        release = harness.shipper_binary("release")
        if release.stat().st_mtime >= debug.stat().st_mtime:
            return release
    return debug


@pytest.fixture
def chaos(tmp_path: Path) -> Iterator[Chaos]:
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    log_dir = tmp_path / "logs"
    with contextlib.ExitStack() as servers:
        emulator = servers.enter_context(harness.running_emulator(
            "--no-samples", "--generate", str(ALERT_COUNT), "--seed", str(SEED), "--quiet", log_dir=log_dir))
        cluster = servers.enter_context(harness.running_osmem(log_dir=log_dir))
        proxy = servers.enter_context(harness.running_fault_proxy(cluster.url, log_dir=log_dir))
        shipper = Shipper(chaos_binary(), state_dir, emulator, Cluster(proxy.url), index=INDEX)
        yield Chaos(emulator, cluster, proxy, shipper, state_dir, log_dir)


def is_rejected(value: Any) -> bool:
    """Return whether a `long` field rejects `value`, which is any value but integers and digit strings."""
    if value is None:
        return False
    values = value if isinstance(value, list) else [value]
    return any(not (isinstance(item, int) or (isinstance(item, str) and item.isdigit())) for item in values)


def dry_run_plan(chaos: Chaos, work_dir: Path) -> Plan:
    """Save the emulator's alerts as a list response, replay it without a cluster, read the ids."""
    work_dir.mkdir()
    saved = work_dir / "list-response.json"
    saved.write_text(json.dumps({"value": chaos.emulator.alerts()}), encoding="utf-8")
    dry_run = Shipper(chaos.shipper.binary, work_dir, index=INDEX)
    result = dry_run.run("replay", str(saved), timeout=FINAL_RUN_TIMEOUT_SECONDS)
    require_success(result, dry_run=True)
    documents = parse_bulk_ndjson(result.stdout)
    rejected = {document_id for document_id, document in documents.items()
               if is_rejected(field_value(document, REJECTED_FIELD))}
    return Plan(set(documents), rejected)


def create_index_rejecting_emails(chaos: Chaos) -> None:
    """Install the shipper's templates, then create the index with `user.email` as `long`."""
    direct = Shipper(chaos.shipper.binary, chaos.state_dir, cluster=chaos.cluster, index=INDEX)
    installed = direct.run("template", "install")
    assert installed.returncode == 0, installed.describe()
    mapping = {"user": {"properties": {"email": {"type": "long"}}}}
    created = chaos.cluster.request("PUT", INDEX, {"mappings": {"properties": mapping}})
    assert created.status == 200, created.decoded_body()


def kill_when_indexed(chaos: Chaos, threshold: int, run_number: int) -> int:
    """Start a run and SIGKILL it once the index contains `threshold` documents.

    Returns the index count after the kill.
    """
    log_path = chaos.log_dir / f"shipper-run-{run_number}.log"
    with background_shipper(chaos.shipper, RUN_ARGUMENTS, log_path) as process:
        harness.wait_until(lambda: process.poll() is not None or index_count(chaos.cluster, INDEX) >= threshold,
                           timeout=PHASE_TIMEOUT_SECONDS, interval=0.25,
                           description=f"run {run_number} to index {threshold} documents")
        assert process.poll() is None, (
            f"run {run_number} exited (code {process.returncode}) before the index contained {threshold} documents\n"
            + log_path.read_text(encoding="utf-8", errors="replace")[-4000:])
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL
    return index_count(chaos.cluster, INDEX)


def indexed_ids(cluster: Cluster) -> list[str]:
    """Return every `_id` in the index, in pages sorted by `_id` and continued with `search_after`."""
    ids: list[str] = []
    search_after: list[str] | None = None
    while True:
        body: dict[str, Any] = {"query": {"match_all": {}}, "size": SEARCH_PAGE, "sort": [{"_id": "asc"}],
                                "_source": False}
        if search_after is not None:
            body["search_after"] = search_after
        hits = cluster.search(INDEX, body)["hits"]["hits"]
        if not hits:
            return ids
        ids.extend(hit["_id"] for hit in hits)
        search_after = hits[-1]["sort"]
        assert len(ids) <= 200_000, "paging does not end"


def dead_letter_ids(state_dir: Path) -> list[str]:
    """Return the `_id` of every line of the dead-letter file and of its rotated files."""
    ids = []
    for path in sorted(state_dir.glob("dead-letter.ndjson*")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                entry = json.loads(line)
                assert field_value(entry, "error.type") == "mapper_parsing_exception", entry
                ids.append(entry["_id"])
    return ids


def test_chaos_run_loses_and_doubles_nothing(chaos: Chaos, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    started = time.monotonic()
    plan = dry_run_plan(chaos, tmp_path / "dry-run")
    assert len(plan.ids) >= MINIMUM_DOCUMENTS
    assert 0 < len(plan.rejected) < len(plan.ids) // 5, f"{len(plan.rejected)} rejected of {len(plan.ids)}"
    create_index_rejecting_emails(chaos)
    chaos.proxy.set_scenario(*seeded_rules(SEED))

    counts_at_kill = [kill_when_indexed(chaos, int(fraction * len(plan.indexed)), number)
                      for number, fraction in enumerate(KILL_FRACTIONS, start=1)]
    final_timeout = FINAL_RUN_TIMEOUT_SECONDS
    final = chaos.shipper.run_once(*RUN_ARGUMENTS[2:], timeout=final_timeout)
    summary = require_success(final)

    ids = indexed_ids(chaos.cluster)
    missing = plan.indexed - set(ids)
    extra = set(ids) - plan.indexed
    doubled = [document_id for document_id, count in Counter(ids).items() if count > 1]
    dead_lettered = dead_letter_ids(chaos.state_dir)
    faults = chaos.proxy.stats()["faults"]
    kinds = {"item_status" if kind.startswith("item_status") else kind for kind in faults}
    repeated_lines = len(dead_lettered) - len(set(dead_lettered))
    with capsys.disabled():
        print(f"\nchaos details: seed={SEED} binary={chaos.shipper.binary} seconds={time.monotonic() - started:.0f} "
              f"counts_at_kill={counts_at_kill} rejected={len(plan.rejected)} "
              f"dead_letter_lines={len(dead_lettered)} dead_letter_repeated_lines={repeated_lines} "
              f"retried={summary['retried']} "
              f"faults={json.dumps(faults, sort_keys=True)}")
        print(f"chaos final run: produced={summary['documents_produced']} acknowledged={summary['acknowledged']} "
              f"duplicates={summary['duplicates']} dead_lettered={summary['dead_lettered']}")
        print(f"chaos: produced={len(plan.ids)} acknowledged={len(set(ids))} "
              f"duplicates={chaos.proxy.stats()['items_409_relayed']} dead_lettered={len(set(dead_lettered))} "
              f"missing={len(missing)} extra={len(extra)}")

    assert sorted(missing)[:10] == [], f"{len(missing)} documents missing from the index"
    assert sorted(extra)[:10] == [], f"{len(extra)} unexpected documents in the index"
    assert doubled == [], "ids returned twice by the index"
    assert index_count(chaos.cluster, INDEX) == len(plan.indexed)
    assert set(dead_lettered) == plan.rejected, (
        f"dead-letter ids: {len(plan.rejected - set(dead_lettered))} rejected ones missing, "
        f"{len(set(dead_lettered) - plan.rejected)} not rejected")
    assert repeated_lines == 0, f"{repeated_lines} dead-letter lines repeat a document"
    assert summary["buffered"] == 0, summary
    assert summary["documents_produced"] == summary["acknowledged"] + summary["dead_lettered"], summary
    assert len(plan.ids) == len(set(ids)) + len(set(dead_lettered)), "the whole test's counts do not balance"
    assert kinds >= FAULT_KINDS, f"fault kinds never applied: {sorted(FAULT_KINDS - kinds)}"
