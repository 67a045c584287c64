"""End-to-end test of bulk requests across two cluster hosts when the first one is down.

The first host is a closed loopback port, the second osmem-server. One-document batches make the
round robin send a bulk request to the closed port, so the test sees that host rest while every
document still lands on the other host.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from test_end_to_end import (  # noqa: F401 (pytest fixtures are found by name)
    Shipper,
    binary,
    closed_loopback_port,
    expected_document_count,
    field_value,
    indexed_documents,
    require_success,
    servers,
    start_cluster,
    state_dir,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
ALERT_FILE = REPO_ROOT / "Fixtures" / "defender" / "three-evidence-alert.json"
INDEX = "mde-host-failover"


def test_closed_first_host_rests_and_documents_land(servers: contextlib.ExitStack, tmp_path: Path,
                                                    binary: Path, state_dir: Path) -> None:
    cluster = start_cluster(servers, tmp_path)
    down = f"http://127.0.0.1:{closed_loopback_port()}"
    shipper = Shipper(binary, state_dir, index=INDEX)
    alert = json.loads(ALERT_FILE.read_text(encoding="utf-8"))["value"][0]
    expected = expected_document_count(alert)
    assert expected == 3, "the fixture alert must have three evidence items"

    result = shipper.run("replay", str(ALERT_FILE), "--hosts", f"{down},{cluster.url}",
                         "--batch-size", "1", timeout=60)

    summary = require_success(result)
    assert summary.get("documents_produced") == expected, summary
    assert summary.get("acknowledged") == expected, summary
    assert summary.get("dead_lettered", 0) == 0, summary
    documents = indexed_documents(cluster, INDEX)
    assert len(documents) == expected
    assert {field_value(document, "event.id") for document in documents.values()} == {alert["id"]}

    resting = [line for line in result.log_lines() if line.get("message") == "cluster host resting"]
    assert resting, f"no 'cluster host resting' log line\n{result.describe()}"
    assert {line.get("cluster.host") for line in resting} == {down}, resting
    assert all(isinstance(line.get("retry.after_seconds"), int) for line in resting), resting
    # Each rest is logged once, never per request: the first failure, then one line per failed probe,
    # each with one more consecutive failure.
    failures = [line.get("cluster.host_failures") for line in resting]
    assert failures == list(range(1, len(resting) + 1)), resting
