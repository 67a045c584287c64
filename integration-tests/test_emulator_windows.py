"""Tests of the emulator behaviours that make large and changing alert windows hard.

They cover the 10,000-row limit (scaled down with --row-limit), 500 for a large $top, malformed
nextLinks, alerts sharing one lastUpdateTime, late-visible updates, and updates made while a
window is paged.
"""

from __future__ import annotations

import time
import urllib.parse
from pathlib import Path

import defender_alerts
import harness

WIDE_FILTER = "lastUpdateTime ge 2000-01-01T00:00:00Z"


def page(emulator: harness.Emulator, token: str, top: int, skip: int, filter_text: str = WIDE_FILTER) -> dict:
    response = emulator.get_alerts(token, {"$filter": filter_text, "$top": str(top), "$skip": str(skip)})
    assert response.status == 200, response.text
    return response.json()


def test_row_limit_cuts_paging_silently(tmp_path: Path) -> None:
    with harness.running_emulator("--quiet", "--no-samples", "--generate", "30", "--row-limit", "20",
                                  log_dir=tmp_path) as emulator:
        token = emulator.fetch_token()
        sizes = [len(page(emulator, token, 10, skip)["value"]) for skip in (0, 10, 15, 20, 25)]
        emulator.configure(row_limit=0)
        unlimited = len(page(emulator, token, 10, 25)["value"])

    assert sizes == [10, 10, 5, 0, 0]
    assert unlimited == 5


def test_default_row_limit_is_ten_thousand(tmp_path: Path) -> None:
    with harness.running_emulator("--quiet", "--no-samples", log_dir=tmp_path) as emulator:
        assert emulator.configure()["row_limit"] == 10_000


def test_large_top_gets_server_error(tmp_path: Path) -> None:
    with harness.running_emulator("--quiet", "--no-samples", "--generate", "5", "--fail-top-above", "100",
                                  log_dir=tmp_path) as emulator:
        token = emulator.fetch_token()
        failed = emulator.get_alerts(token, {"$top": "101"})
        accepted = emulator.get_alerts(token, {"$top": "100"})

    assert failed.status == 500
    assert failed.json()["error"]["code"] == "InternalServerError"
    assert accepted.status == 200


def test_malformed_next_link_lacks_names(tmp_path: Path) -> None:
    with harness.running_emulator("--quiet", "--no-samples", "--generate", "5", "--malformed-next-link",
                                  log_dir=tmp_path) as emulator:
        token = emulator.fetch_token()
        body = page(emulator, token, 3, 0)

    link = body["@odata.nextLink"]
    query = urllib.parse.urlsplit(link).query
    assert link.startswith(emulator.url + "/api/alerts?")
    assert query.split("&") == [urllib.parse.quote(WIDE_FILTER, safe=":"), "3", "3"]


def test_generated_alerts_share_time(tmp_path: Path) -> None:
    with harness.running_emulator("--quiet", "--no-samples", "--generate-shared", "40", log_dir=tmp_path) as emulator:
        started = {alert["lastUpdateTime"] for alert in emulator.alerts()}
        shared = "2024-05-01T10:00:00.0033333Z"
        ids = emulator.control("POST", "alerts", {"generate": 25, "last_update_time": shared})["ids"]
        added = [alert for alert in emulator.alerts() if alert["id"] in set(ids)]

    assert len(started) == 1
    assert len(added) == 25
    assert {alert["lastUpdateTime"] for alert in added} == {shared}


def test_late_visible_update_appears_after_delay(tmp_path: Path) -> None:
    with harness.running_emulator("--quiet", "--no-samples", "--generate", "3", log_dir=tmp_path) as emulator:
        token = emulator.fetch_token()
        alert = emulator.alerts()[0]
        past = defender_alerts.format_ticks(defender_alerts.parse_ticks(alert["lastUpdateTime"]) + 1)
        emulator.control("POST", "alerts/update", {
            "ids": [alert["id"]], "set": {"status": "Resolved"}, "lastUpdateTime": past, "visible_after_seconds": 1,
        })
        before = next(row for row in page(emulator, token, 10, 0)["value"] if row["id"] == alert["id"])
        time.sleep(1.2)
        after = next(row for row in page(emulator, token, 10, 0)["value"] if row["id"] == alert["id"])

    assert before["lastUpdateTime"] == alert["lastUpdateTime"]
    assert after["lastUpdateTime"] == past
    assert after["status"] == "Resolved"


def test_churn_moves_rows_before_skip(tmp_path: Path) -> None:
    with harness.running_emulator("--quiet", "--no-samples", "--generate", "30", log_dir=tmp_path) as emulator:
        token = emulator.fetch_token()
        alerts = emulator.alerts()
        ids = [alert["id"] for alert in alerts]
        newest = max(defender_alerts.parse_ticks(alert["lastUpdateTime"]) for alert in alerts)
        window = f"lastUpdateTime ge 2000-01-01T00:00:00Z and lastUpdateTime lt {defender_alerts.format_ticks(newest + 1)}"
        first = page(emulator, token, 10, 0, window)["value"]
        emulator.control("POST", "churn", {"requests": 1, "alerts_per_request": 2})
        second = page(emulator, token, 10, 10, window)["value"]
        third = page(emulator, token, 10, 20, window)["value"]
        churn = emulator.control("GET", "churn")["churn"]
        moved = emulator.stats()["alerts_moved_during_paging"]
        moved_times = {alert["id"]: alert["lastUpdateTime"] for alert in emulator.alerts() if alert["id"] in ids[:2]}

    returned = {alert["id"] for rows in (first, second, third) for alert in rows}
    assert moved == 2
    assert churn is None
    assert all(defender_alerts.parse_ticks(time_text) > newest for time_text in moved_times.values())
    # Two alerts before $skip 10 left the window, so the rows after them moved up by two and
    # plain $skip paging missed the two that were at positions 10 and 11.
    assert [alert["id"] for alert in second] == ids[12:22]
    assert returned == set(ids) - {ids[10], ids[11]}
