"""Tests of fault_proxy.py: each fault kind against osmem-server, with plain `_bulk` requests."""

from __future__ import annotations

import gzip
import http.client
import json
import subprocess
import sys
import time
import urllib.error
from pathlib import Path
from typing import Any, Iterator

import pytest

import harness
from fault_scenario import ScenarioError, chosen_positions, decode, encode, parse_scenario, rewrite_items
from harness import Cluster, FaultProxy

FILTER = "filter_path=errors,items.*.status,items.*.error,items.*._id"
NDJSON = {"Content-Type": "application/x-ndjson"}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with harness.running_osmem(log_dir=tmp_path_factory.mktemp("osmem-logs")) as running:
        yield running


@pytest.fixture(scope="module")
def module_proxy(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultProxy]:
    with harness.running_fault_proxy(cluster.url, log_dir=tmp_path_factory.mktemp("proxy-logs")) as running:
        yield running


@pytest.fixture
def proxy(module_proxy: FaultProxy) -> FaultProxy:
    """The shared proxy with no rules and zeroed stats."""
    module_proxy.set_scenario()
    module_proxy.control("POST", "stats/reset")
    return module_proxy


@pytest.fixture
def index(request: pytest.FixtureRequest) -> str:
    """An index name of this test's own, so tests sharing the cluster do not see each other's documents."""
    return "proxy-" + request.node.name.lower().replace("_", "-").replace("[", "-").rstrip("]")


def bulk_body(index: str, ids: list[str], action: str = "create") -> str:
    lines = []
    for document_id in ids:
        lines.append(json.dumps({action: {"_index": index, "_id": document_id}}))
        lines.append(json.dumps({"message": f"document {document_id}", "padding": "x" * 100}))
    return "\n".join(lines) + "\n"


def send_bulk(proxy: FaultProxy, body: str | bytes, headers: dict[str, str] | None = None,
              timeout: float = 10.0) -> harness.HttpResponse:
    return harness.http_request("POST", f"{proxy.url}/_bulk?{FILTER}", body, {**NDJSON, **(headers or {})}, timeout)


def item_statuses(response: harness.HttpResponse) -> list[int]:
    return [next(iter(item.values()))["status"] for item in response.json()["items"]]


def stored_count(cluster: Cluster, index: str) -> int:
    response = cluster.request("POST", f"{index}/_refresh")
    return 0 if response.status == 404 else cluster.count(index)


# --- pass-through -------------------------------------------------------------------------


def test_requests_pass_without_rules(proxy: FaultProxy, cluster: Cluster, index: str) -> None:
    root = harness.http_request("GET", f"{proxy.url}/")
    response = send_bulk(proxy, bulk_body(index, ["a", "b", "c"]))

    assert root.status == 200
    assert root.json()["version"]["number"]
    assert item_statuses(response) == [201, 201, 201]
    assert stored_count(cluster, index) == 3
    stats = proxy.stats()
    assert stats["requests"] == 2
    assert stats["bulk_requests"] == 1
    assert stats["bulk_documents"] == 3
    assert stats["faults"] == {}


def test_relayed_conflicts_counted(proxy: FaultProxy, index: str) -> None:
    send_bulk(proxy, bulk_body(index, ["a", "b"]))
    again = send_bulk(proxy, bulk_body(index, ["a", "b", "c"]))

    assert item_statuses(again) == [409, 409, 201]
    assert proxy.stats()["items_409_relayed"] == 2


def test_gzip_body_counted_and_forwarded(proxy: FaultProxy, cluster: Cluster, index: str) -> None:
    text = bulk_body(index, ["g1", "g2"])

    response = send_bulk(proxy, gzip.compress(text.encode()), {"Content-Encoding": "gzip"})

    assert item_statuses(response) == [201, 201]
    assert stored_count(cluster, index) == 2
    (entry,) = proxy.requests()
    assert entry["gzip"] is True
    assert entry["body_bytes"] == len(text.encode())
    assert entry["ids"] == ["g1", "g2"]


# --- whole-request faults -----------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 503, 400])
def test_status_answered_without_forwarding(proxy: FaultProxy, cluster: Cluster, index: str, status: int) -> None:
    proxy.set_scenario({"fault": "status", "status": status, "retry_after": 3})

    response = send_bulk(proxy, bulk_body(index, ["s1"]))

    assert response.status == status
    assert response.json()["error"]["type"]
    assert response.headers.get("retry-after") == "3"
    assert stored_count(cluster, index) == 0
    assert proxy.stats()["faults"] == {f"status_{status}": 1}


def test_413_only_over_byte_limit(proxy: FaultProxy, cluster: Cluster, index: str) -> None:
    small = bulk_body(index, ["t1"])
    large = bulk_body(index, ["t2", "t3", "t4"])
    proxy.set_scenario({"fault": "status", "status": 413, "over_bytes": len(small.encode())})

    small_response = send_bulk(proxy, small)
    large_response = send_bulk(proxy, gzip.compress(large.encode()), {"Content-Encoding": "gzip"})

    assert item_statuses(small_response) == [201]
    assert large_response.status == 413
    assert stored_count(cluster, index) == 1
    assert proxy.stats()["faults"] == {"status_413": 1}


def test_reset_before_forwarding(proxy: FaultProxy, cluster: Cluster, index: str) -> None:
    proxy.set_scenario({"fault": "reset_before"})

    with pytest.raises((ConnectionError, urllib.error.URLError, http.client.HTTPException)):
        send_bulk(proxy, bulk_body(index, ["r1", "r2"]))

    assert stored_count(cluster, index) == 0
    assert proxy.requests()[0]["upstream_status"] is None


def test_reset_after_forwarding(proxy: FaultProxy, cluster: Cluster, index: str) -> None:
    proxy.set_scenario({"fault": "reset_after", "requests": [1]})
    body = bulk_body(index, ["r1", "r2"])

    with pytest.raises((ConnectionError, urllib.error.URLError, http.client.HTTPException)):
        send_bulk(proxy, body)
    resend = send_bulk(proxy, body)

    assert stored_count(cluster, index) == 2
    assert item_statuses(resend) == [409, 409]
    assert [entry["upstream_status"] for entry in proxy.requests()] == [200, 200]


@pytest.mark.parametrize("where", ["before", "after"])
def test_delay_holds_response(proxy: FaultProxy, cluster: Cluster, index: str, where: str) -> None:
    proxy.set_scenario({"fault": "delay", "seconds": 0.6, "where": where})

    started = time.monotonic()
    response = send_bulk(proxy, bulk_body(index, ["d1"]))
    elapsed = time.monotonic() - started

    assert item_statuses(response) == [201]
    assert elapsed >= 0.6


# --- response faults ----------------------------------------------------------------------


def test_truncate_with_short_length(proxy: FaultProxy, cluster: Cluster, index: str) -> None:
    proxy.set_scenario({"fault": "truncate", "keep_bytes": 12})

    response = send_bulk(proxy, bulk_body(index, ["u1", "u2"]))

    assert response.status == 200
    assert len(response.body) == 12
    with pytest.raises(ValueError):
        json.loads(response.body)
    assert stored_count(cluster, index) == 2


def test_truncate_closing_early(proxy: FaultProxy, cluster: Cluster, index: str) -> None:
    proxy.set_scenario({"fault": "truncate", "keep_bytes": 12, "framing": "close"})

    with pytest.raises(http.client.IncompleteRead):
        send_bulk(proxy, bulk_body(index, ["u1", "u2"]))

    assert stored_count(cluster, index) == 2


def test_drop_items_shortens_response(proxy: FaultProxy, cluster: Cluster, index: str) -> None:
    proxy.set_scenario({"fault": "drop_items", "count": 2})

    response = send_bulk(proxy, bulk_body(index, ["p1", "p2", "p3"]))

    assert item_statuses(response) == [201]
    assert stored_count(cluster, index) == 3
    assert proxy.stats()["items_dropped"] == 2


@pytest.mark.parametrize("status", [429, 503])
def test_item_status_rewrites_chosen_items(proxy: FaultProxy, cluster: Cluster, index: str, status: int) -> None:
    proxy.set_scenario({"fault": "item_status", "status": status, "items": {"every": 2}, "requests": [1]})
    body = bulk_body(index, ["i1", "i2", "i3", "i4"])

    first = send_bulk(proxy, body)
    resend = send_bulk(proxy, body)

    assert item_statuses(first) == [201, status, 201, status]
    assert first.json()["errors"] is True
    assert stored_count(cluster, index) == 4
    assert item_statuses(resend) == [409, 409, 409, 409]
    assert proxy.stats()["items_rewritten"] == 2


# --- selection ----------------------------------------------------------------------------


def test_every_and_limit_select_requests(proxy: FaultProxy, index: str) -> None:
    proxy.set_scenario({"fault": "status", "status": 503, "every": 2, "limit": 2})

    statuses = [send_bulk(proxy, bulk_body(index, [f"e{number}"])).status for number in range(1, 8)]

    assert statuses == [200, 503, 200, 503, 200, 200, 200]


def test_first_matching_rule_wins(proxy: FaultProxy, index: str) -> None:
    proxy.set_scenario({"fault": "status", "status": 429, "requests": [2]},
                       {"fault": "status", "status": 503, "requests": [2, 3]})

    statuses = [send_bulk(proxy, bulk_body(index, [f"f{number}"])).status for number in range(1, 5)]

    assert statuses == [200, 429, 503, 200]


def test_probability_repeats_with_seed(proxy: FaultProxy, index: str) -> None:
    def run(prefix: str) -> list[int]:
        proxy.set_scenario({"fault": "status", "status": 429, "probability": 0.5, "seed": 11})
        return [send_bulk(proxy, bulk_body(index, [f"{prefix}{number}"])).status for number in range(12)]

    first = run("x")
    second = run("y")

    assert first == second
    assert 200 in first
    assert 429 in first


@pytest.mark.parametrize("scenario", [
    {"rules": [{"fault": "explode"}]},
    {"rules": [{"fault": "status", "status": 418}]},
    {"rules": [{"fault": "status", "status": 413}]},
    {"rules": [{"fault": "delay", "seconds": 100}]},
    {"rules": [{"fault": "reset_after", "every": 2, "requests": [1]}]},
    {"rules": [{"fault": "item_status", "status": 429, "items": {"some": 1}}]},
    {"rules": "none"},
])
def test_invalid_scenario_rejected(proxy: FaultProxy, scenario: dict[str, Any]) -> None:
    response = harness.http_request("PUT", f"{proxy.url}/_proxy/scenario", scenario)

    assert response.status == 400
    assert "invalid scenario" in response.json()["error"]


def test_upstream_must_be_loopback(tmp_path: Path) -> None:
    script = harness.INTEGRATION_DIR / "fault_proxy.py"
    completed = subprocess.run([sys.executable, str(script), "--upstream", "http://192.0.2.1:9200"],
                               capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)

    assert completed.returncode == 2
    assert "loopback" in completed.stderr


# --- body handling without a server -------------------------------------------------------


@pytest.mark.parametrize(("selector", "expected"), [
    ("all", [0, 1, 2, 3, 4]),
    ([1, 3, 9], [1, 3]),
    ({"every": 2}, [1, 3]),
    ({"first": 2}, [0, 1]),
    ({"first": 9}, [0, 1, 2, 3, 4]),
])
def test_chosen_positions_table(selector: Any, expected: list[int]) -> None:
    assert chosen_positions(selector, 5) == expected


@pytest.mark.parametrize("encoding", [None, "gzip", "deflate"])
def test_rewrite_keeps_response_encoding(encoding: str | None) -> None:
    response = {"errors": False, "items": [{"create": {"_id": "a", "status": 201}},
                                           {"create": {"_id": "b", "status": 201}}]}
    encoded = encode(json.dumps(response).encode(), encoding)

    body, changed = rewrite_items(decode(encoded, encoding), {"fault": "item_status", "status": 503, "items": [1]})
    rewritten = json.loads(decode(encode(body, encoding), encoding))

    assert changed == 1
    assert rewritten["items"][1]["create"]["status"] == 503
    assert rewritten["items"][1]["create"]["_id"] == "b"
    assert rewritten["items"][0]["create"]["status"] == 201


def test_decode_rejects_oversized_output() -> None:
    bomb = gzip.compress(b"0" * (65 * 1024 * 1024))

    with pytest.raises(ValueError):
        decode(bomb, "gzip")


def test_parse_scenario_names_rule() -> None:
    with pytest.raises(ScenarioError, match="rule 1"):
        parse_scenario({"rules": [{"fault": "reset_before"}, {"fault": "delay"}]})
