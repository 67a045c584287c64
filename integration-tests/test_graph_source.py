"""Ship alerts from the emulator's Microsoft Graph alerts_v2 endpoint into osmem-server.

The emulator serves its alert store converted to Graph's shape, so `mde-shipper run --once
--source graph` must index every stored alert, with one document per distinct Graph evidence item
and no pipeline error. The shipper is the debug build from `swift build`.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

import harness
from emulator_graph_api import to_graph_alert
from harness import Cluster, Emulator
from test_end_to_end import Shipper, canonical_json, field_value, indexed_documents, require_success

GRAPH_ROLE = "SecurityAlert.Read.All"


@pytest.fixture
def servers() -> Iterator[contextlib.ExitStack]:
    with contextlib.ExitStack() as stack:
        yield stack


def start_servers(servers: contextlib.ExitStack, tmp_path: Path, *emulator_arguments: str) -> tuple[Emulator, Cluster]:
    logs = tmp_path / "logs"
    emulator = servers.enter_context(
        harness.running_emulator("--quiet", "--roles", GRAPH_ROLE, *emulator_arguments, log_dir=logs))
    cluster = servers.enter_context(harness.running_osmem(log_dir=logs))
    return emulator, cluster


def graph_shipper(tmp_path: Path, emulator: Emulator, cluster: Cluster) -> Shipper:
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    return Shipper(harness.shipper_binary(), state_dir, emulator, cluster)


def graph_requests(emulator: Emulator) -> list[dict[str, Any]]:
    return [request for request in emulator.requests() if request["path"] == "/v1.0/security/alerts_v2"]


def expected_graph_documents(alert: dict[str, Any]) -> int:
    """Count the documents of one alert read through Graph: one per distinct Graph evidence item.

    Graph carries the alert's device and related user as evidence, so they add documents that
    the Defender source does not produce.
    """
    evidence = to_graph_alert(alert)["evidence"]
    return max(1, len({canonical_json(item) for item in evidence}))


def documents_per_alert(cluster: Cluster) -> dict[str, int]:
    counts: dict[str, int] = {}
    for document in indexed_documents(cluster).values():
        assert field_value(document, "event.kind") == "alert", f"not an alert document: {document}"
        alert_id = field_value(document, "event.id")
        counts[alert_id] = counts.get(alert_id, 0) + 1
    return counts


def test_graph_source_indexes_samples(servers: contextlib.ExitStack, tmp_path: Path) -> None:
    emulator, cluster = start_servers(servers, tmp_path, "--shift-samples-hours", "6")
    shipper = graph_shipper(tmp_path, emulator, cluster)

    summary = require_success(shipper.run_once("--source", "graph", "--graph-url", emulator.url))

    alerts = emulator.alerts()
    assert summary.get("pipeline_errors", 0) == 0, summary
    counts = documents_per_alert(cluster)
    assert counts == {alert["id"]: expected_graph_documents(alert) for alert in alerts}

    requests = graph_requests(emulator)
    assert requests, "the shipper sent no request to the Graph endpoint"
    assert all(request["status"] == 200 for request in requests)
    assert "lastUpdateDateTime ge " in requests[0]["query"]["$filter"]
    assert not [request for request in emulator.requests() if request["path"] == "/api/alerts"]


def test_graph_source_follows_next_links(servers: contextlib.ExitStack, tmp_path: Path) -> None:
    emulator, cluster = start_servers(servers, tmp_path, "--no-samples", "--generate", "25")
    shipper = graph_shipper(tmp_path, emulator, cluster)

    summary = require_success(shipper.run_once("--source", "graph", "--graph-url", emulator.url, "--page-size", "10"))

    assert summary.get("pipeline_errors", 0) == 0, summary
    assert set(documents_per_alert(cluster)) == {alert["id"] for alert in emulator.alerts()}
    requests = graph_requests(emulator)
    assert [request["rows"] for request in requests] == [10, 10, 5]
    assert [request["query"].get("$top") for request in requests] == ["10", "10", "10"]
    assert "$skiptoken" not in requests[0]["query"]
    assert all("$skiptoken" in request["query"] for request in requests[1:])


def test_graph_documents_carry_mapped_fields(servers: contextlib.ExitStack, tmp_path: Path) -> None:
    emulator, cluster = start_servers(servers, tmp_path, "--no-samples")
    alert = {
        "id": "da-graph-1", "incidentId": 77, "severity": "High", "status": "InProgress",
        "classification": "TruePositive", "determination": "Malware", "detectionSource": "WindowsDefenderAv",
        "title": "Graph test alert", "category": "Execution", "alertCreationTime": "2024-01-01T00:00:00Z",
        # Ten minutes ago, so the window of a run with the default 60 s lag contains it.
        "lastUpdateTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 600)),
        "machineId": "m-77", "computerDnsName": "ws-77.contoso.com",
        "evidence": [{"entityType": "File", "sha256": "AA" * 32, "fileName": "x.exe", "filePath": "C:\\t",
                      "detectionStatus": "Detected", "evidenceCreationTime": "2024-01-01T00:00:01Z"}],
    }
    emulator.add_alerts([alert])
    shipper = graph_shipper(tmp_path, emulator, cluster)

    require_success(shipper.run_once("--source", "graph", "--graph-url", emulator.url))

    documents = list(indexed_documents(cluster).values())
    file_documents = [document for document in documents
                      if field_value(document, "microsoft.defender_endpoint.evidence.entityType") == "File"]
    assert len(file_documents) == 1, documents
    document = file_documents[0]
    expected = {
        "event.id": "da-graph-1", "event.severity": 73, "observer.name": "WindowsDefenderAv",
        "microsoft.defender_endpoint.status": "InProgress", "microsoft.defender_endpoint.incidentId": "77",
        "microsoft.defender_endpoint.determination": "Malware", "host.id": "m-77",
        "host.name": "ws-77.contoso.com", "file.hash.sha256": "aa" * 32, "file.name": "x.exe",
        "microsoft.defender_endpoint.evidence.detectionStatus": "Detected",
    }
    for name, value in expected.items():
        assert field_value(document, name) == value, name


def test_graph_token_without_role_fails(servers: contextlib.ExitStack, tmp_path: Path) -> None:
    emulator, cluster = start_servers(servers, tmp_path, "--no-samples", "--generate", "1")
    emulator.configure(roles=["Alert.Read.All"])
    shipper = graph_shipper(tmp_path, emulator, cluster)

    result = shipper.run_once("--source", "graph", "--graph-url", emulator.url)

    assert result.returncode != 0, result.describe()
    assert "SecurityAlert.Read.All" in result.stderr, result.describe()
