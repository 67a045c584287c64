"""`mde-shipper run --once` against alert windows that plain `$skip` paging reads wrongly.

Each test compares the `_id`s in the index with the `_id`s that a dry-run `replay` prints for every
alert version the emulator served, so an alert version lost or indexed twice fails the test. The
shipper writes one document per alert (`--documents alert`) to keep the runs short.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import Any

import defender_alerts
import harness
from harness import Cluster, Emulator
from test_end_to_end import Shipper, ShipperResult, index_count, require_success, start_cluster, start_emulator

SEARCH_PAGE = 10_000  # osmem-server's result window: from + size must stay within it
DOCUMENTS = ("--documents", "alert")


def expected_ids(binary: Path, alerts: list[dict[str, Any]], work_dir: Path) -> set[str]:
    """Return the `_id`s that `replay` prints for `alerts` without a cluster."""
    work_dir.mkdir(parents=True, exist_ok=True)
    saved = work_dir / "alerts.json"
    saved.write_text(json.dumps({"value": alerts}), encoding="utf-8")
    result = Shipper(binary, work_dir).run("replay", str(saved), *DOCUMENTS)
    require_success(result, dry_run=True)
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return {next(iter(action.values()))["_id"] for action in lines[0::2]}


def indexed_ids(cluster: Cluster, index: str) -> list[str]:
    """Return every `_id` in `index`."""
    return [document_id for document_id, _ in indexed_alert_ids(cluster, index)]


def assert_indexed_once(cluster: Cluster, shipper: Shipper, expected: set[str]) -> None:
    ids = indexed_ids(cluster, shipper.index)
    assert len(ids) == len(set(ids))
    missing = expected - set(ids)
    unexpected = set(ids) - expected
    assert not missing, f"{len(missing)} alert versions missing from the index"
    assert not unexpected, f"{len(unexpected)} unexpected documents in the index"


def setup(servers: contextlib.ExitStack, tmp_path: Path, binary: Path, *emulator_arguments: str
          ) -> tuple[Emulator, Cluster, Shipper]:
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    emulator = start_emulator(servers, tmp_path, "--no-samples", *emulator_arguments)
    cluster = start_cluster(servers, tmp_path)
    return emulator, cluster, Shipper(binary, state_dir, emulator, cluster)


def indexed_alert_ids(cluster: Cluster, index: str) -> list[tuple[str, str]]:
    """Return (`_id`, `event.id`) of every document in `index`, paged with `search_after`."""
    index_count(cluster, index)
    documents: list[tuple[str, str]] = []
    search_after: list[str] | None = None
    while True:
        body: dict[str, Any] = {"query": {"match_all": {}}, "size": SEARCH_PAGE, "sort": [{"_id": "asc"}],
                                "_source": ["event.id"]}
        if search_after is not None:
            body["search_after"] = search_after
        hits = cluster.search(index, body)["hits"]["hits"]
        if not hits:
            return documents
        documents.extend((hit["_id"], hit["_source"]["event"]["id"]) for hit in hits)
        search_after = hits[-1]["sort"]
        assert len(documents) <= 200_000, "paging does not end"


def stored_cursor(shipper: Shipper) -> str:
    files = list(shipper.state_dir.glob("cursor-*.json"))
    assert len(files) == 1, f"expected one cursor file in {shipper.state_dir}, found {files}"
    return json.loads(files[0].read_text(encoding="utf-8"))["cursor"]


def test_window_of_25000_alerts_is_split(tmp_path: Path) -> None:
    binary = harness.shipper_binary()
    with contextlib.ExitStack() as servers:
        emulator, cluster, shipper = setup(servers, tmp_path, binary, "--generate", "25000", "--generate-hours", "0.5")
        alert_ids = {alert["id"] for alert in emulator.alerts()}
        result = shipper.run_once("--initial-lookback", "1h", "--page-size", "1000", "--batch-size", "2000",
                                  *DOCUMENTS, timeout=400)
        summary = require_success(result)
        requests = emulator.requests()
        documents = indexed_alert_ids(cluster, shipper.index)

    # One document per alert version, and each generated alert has one version.
    assert len(alert_ids) == 25_000
    assert len(documents) == 25_000
    assert len({document_id for document_id, _ in documents}) == 25_000
    assert {alert_id for _, alert_id in documents} == alert_ids
    assert summary["alerts_read"] == 25_000
    assert any(line.get("message") == "window contains 10000 or more alerts, splitting it" for line in result.log_lines())
    # Every page that reached row 10,000 led to a split, so no request paged past it.
    assert all(int(request["query"].get("$skip", "0")) < 10_000 for request in requests)


def run_two_cycles(shipper: Shipper, between: Any, *arguments: str) -> tuple[ShipperResult, ShipperResult]:
    """Run two successful `run --once` cycles with a 1 s lag, calling `between()` after the first."""
    options = ("--initial-lookback", "1h", "--lag", "1s", *DOCUMENTS, *arguments)
    first = shipper.run_once(*options)
    require_success(first)
    between()
    time.sleep(1.5)
    second = shipper.run_once(*options)
    require_success(second)
    return first, second


def churn_and_ship(tmp_path: Path, requests: int, alerts_per_request: int) -> tuple[set[str], int, ShipperResult]:
    """Ship 1,500 alerts in two cycles while the first cycle's pages move alerts out of its window.

    Returns the expected `_id`s (every original and every moved version), the alerts moved, and
    the first cycle's result.
    """
    binary = harness.shipper_binary()
    with contextlib.ExitStack() as servers:
        emulator, cluster, shipper = setup(servers, tmp_path, binary, "--generate", "1500", "--generate-hours", "0.5")
        original = emulator.alerts()
        emulator.control("POST", "churn", {"requests": requests, "alerts_per_request": alerts_per_request})
        first, _ = run_two_cycles(shipper, lambda: None, "--page-size", "200")
        moved = emulator.stats()["alerts_moved_during_paging"]
        final = emulator.alerts()
        expected = expected_ids(binary, original, tmp_path / "original") | expected_ids(binary, final, tmp_path / "final")
        assert_indexed_once(cluster, shipper, expected)
    return expected, moved, first


def test_alerts_updated_while_paging_are_shipped(tmp_path: Path) -> None:
    # Five alerts leave the window before each of four pages: within the 20-row overlap.
    expected, moved, first = churn_and_ship(tmp_path, requests=4, alerts_per_request=5)

    assert moved == 20
    assert len(expected) == 1520
    messages = [line.get("message") for line in first.log_lines()]
    assert "rows shifted during paging, paging the window again from $skip 0" not in messages


def test_large_shift_restarts_and_ships_everything(tmp_path: Path) -> None:
    # Thirty alerts leave the window before each of two pages: more than the 20-row overlap.
    expected, moved, first = churn_and_ship(tmp_path, requests=2, alerts_per_request=30)

    assert moved == 60
    assert len(expected) == 1560
    messages = [line.get("message") for line in first.log_lines()]
    assert "rows shifted during paging, paging the window again from $skip 0" in messages


def test_alerts_sharing_cursor_time_are_shipped(tmp_path: Path) -> None:
    binary = harness.shipper_binary()
    with contextlib.ExitStack() as servers:
        emulator, cluster, shipper = setup(servers, tmp_path, binary, "--generate", "50", "--generate-hours", "0.5",
                                           "--generate-shared", "150")
        shared = max(emulator.alerts(), key=lambda alert: defender_alerts.parse_ticks(alert["lastUpdateTime"]))
        shared_time = shared["lastUpdateTime"]
        cursors: list[str] = []

        def add_alerts_at_cursor() -> None:
            cursors.append(stored_cursor(shipper))
            emulator.control("POST", "alerts", {"generate": 150, "last_update_time": cursors[0]})

        _, second_result = run_two_cycles(shipper, add_alerts_at_cursor, "--page-size", "100")
        second = second_result.summary()
        alerts = emulator.alerts()
        assert_indexed_once(cluster, shipper, expected_ids(binary, alerts, tmp_path / "replay"))

    assert cursors == [shared_time]
    assert sum(alert["lastUpdateTime"] == shared_time for alert in alerts) >= 300
    assert second["alerts_read"] >= 300


def test_late_visible_update_is_shipped_next_cycle(tmp_path: Path) -> None:
    binary = harness.shipper_binary()
    with contextlib.ExitStack() as servers:
        emulator, cluster, shipper = setup(servers, tmp_path, binary, "--generate", "100", "--generate-hours", "0.5")
        original = emulator.alerts()
        newest = max(defender_alerts.parse_ticks(alert["lastUpdateTime"]) for alert in original)
        late_time = defender_alerts.format_ticks(defender_alerts.snap_to_update_grid(newest - 30 * defender_alerts.TICKS_PER_SECOND))
        target = original[0]
        visible_at = time.monotonic() + 6
        emulator.control("POST", "alerts/update", {
            "ids": [target["id"]], "set": {"status": "Resolved"}, "lastUpdateTime": late_time, "visible_after_seconds": 6,
        })
        options = ("--initial-lookback", "1h", "--lag", "1s", *DOCUMENTS)
        require_success(shipper.run_once(*options))
        first_cycle_done = time.monotonic()
        after_first = set(indexed_ids(cluster, shipper.index))
        time.sleep(max(0.0, visible_at - time.monotonic()) + 0.5)
        require_success(shipper.run_once(*options))
        final = emulator.alerts()
        late_version = expected_ids(binary, [next(alert for alert in final if alert["id"] == target["id"])], tmp_path / "late")
        expected = expected_ids(binary, original, tmp_path / "original") | late_version
        assert_indexed_once(cluster, shipper, expected)

    assert len(late_version) == 1
    if first_cycle_done < visible_at:
        assert not late_version & after_first


def test_malformed_next_link_and_server_errors(tmp_path: Path) -> None:
    binary = harness.shipper_binary()
    with contextlib.ExitStack() as servers:
        emulator, cluster, shipper = setup(servers, tmp_path, binary, "--generate", "300", "--generate-hours", "0.5",
                                           "--malformed-next-link", "--fail-top-above", "100")
        alerts = emulator.alerts()
        result = shipper.run_once("--initial-lookback", "1h", "--page-size", "200", *DOCUMENTS)
        require_success(result)
        statuses = [request["status"] for request in emulator.requests()]
        assert_indexed_once(cluster, shipper, expected_ids(binary, alerts, tmp_path / "replay"))

    assert statuses[0] == 500
    assert statuses[1:] and all(status == 200 for status in statuses[1:])
    warnings = [line for line in result.log_lines() if line.get("message") == "ignoring @odata.nextLink, paging by $skip"]
    assert warnings
