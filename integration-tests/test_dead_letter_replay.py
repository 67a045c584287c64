"""End-to-end tests of `mde-shipper dead-letter replay` against osmem-server.

Each test produces dead letters the way an operator meets them: the index exists with a mapping
that makes `microsoft.defender_endpoint.threatName` a `long`, so every document whose threat name
is text is rejected with `mapper_parsing_exception`. Then the test either fixes the mapping and
replays, or replays without a fix.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness import Cluster, Emulator
from test_end_to_end import (  # noqa: F401 (pytest fixtures are found by name)
    INDEX,
    Shipper,
    ShipperResult,
    binary,
    dry_run_documents,
    field_value,
    indexed_documents,
    require_success,
    sample_setup,
    servers,
    state_dir,
)

FIELD = "microsoft.defender_endpoint.threatName"
LONG_MAPPING = {"properties": {"microsoft": {"properties": {"defender_endpoint": {"properties": {
    "threatName": {"type": "long"}}}}}}}
SUMMARY_FIELDS = ("lines_read", "documents_sent", "acknowledged", "duplicates", "failed_again", "malformed")


def replay_summary(result: ShipperResult) -> dict[str, Any]:
    """Return the counts of the last `dead-letter replay finished` log line."""
    finished = [line for line in result.log_lines() if line.get("message") == "dead-letter replay finished"]
    assert finished, f"no 'dead-letter replay finished' log line\n{result.describe()}"
    return {name: finished[-1].get(name) for name in SUMMARY_FIELDS}


def read_dead_letters(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def ship_with_rejections(emulator: Emulator, cluster: Cluster, shipper: Shipper, binary: Path,
                       tmp_path: Path) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """Ship the sample alerts into an index that rejects text threat names.

    Returns every planned document by `_id` and the ids that were dead-lettered.
    """
    planned = dry_run_documents(binary, emulator.alerts(), tmp_path / "dry-run")
    rejected = {
        document_id for document_id, document in planned.items()
        if isinstance(field_value(document, FIELD), str) and not field_value(document, FIELD).isdigit()
    }
    assert 0 < len(rejected) < len(planned), f"{FIELD} must be text in some documents and absent in others"
    created = cluster.request("PUT", INDEX, {"mappings": LONG_MAPPING})
    assert created.status == 200, created.decoded_body()
    summary = require_success(shipper.run_once())
    assert summary["dead_lettered"] == len(rejected)
    return planned, rejected


def test_replay_after_fix_indexes_rejected_documents(sample_setup: tuple[Emulator, Cluster, Shipper],
                                                    state_dir: Path, binary: Path, tmp_path: Path) -> None:
    emulator, cluster, shipper = sample_setup
    planned, rejected = ship_with_rejections(emulator, cluster, shipper, binary, tmp_path)
    dead_letter_path = state_dir / "dead-letter.ndjson"
    assert {line["_id"] for line in read_dead_letters(dead_letter_path)} == rejected
    # The fix: drop the index with its wrong mapping. The replay creates it again from the index
    # template, so afterwards it contains exactly the formerly rejected documents.
    deleted = cluster.request("DELETE", INDEX)
    assert deleted.status == 200, deleted.decoded_body()

    first = shipper.run("dead-letter", "replay")
    second = shipper.run("dead-letter", "replay")

    assert first.returncode == 0, first.describe()
    assert replay_summary(first) == {
        "lines_read": len(rejected), "documents_sent": len(rejected), "acknowledged": len(rejected),
        "duplicates": 0, "failed_again": 0, "malformed": 0,
    }
    documents = indexed_documents(cluster)
    assert set(documents) == rejected
    for document_id in rejected:
        assert documents[document_id] == planned[document_id], document_id
    assert not dead_letter_path.exists()
    assert not Path(f"{dead_letter_path}.replay").exists()
    assert second.returncode == 0, second.describe()
    assert replay_summary(second) == dict.fromkeys(SUMMARY_FIELDS, 0)
    assert set(indexed_documents(cluster)) == rejected


def test_replay_without_fix_keeps_every_line(sample_setup: tuple[Emulator, Cluster, Shipper],
                                             state_dir: Path, binary: Path, tmp_path: Path) -> None:
    emulator, cluster, shipper = sample_setup
    planned, rejected = ship_with_rejections(emulator, cluster, shipper, binary, tmp_path)
    dead_letter_path = state_dir / "dead-letter.ndjson"
    indexed_before = set(indexed_documents(cluster))
    broken_line = '{"_index":"mde-e2e","_id":"broken"'
    with dead_letter_path.open("a", encoding="utf-8") as file:
        file.write("\n" + broken_line + "\n")

    result = shipper.run("dead-letter", "replay", str(dead_letter_path))

    assert result.returncode == 1, result.describe()
    assert replay_summary(result) == {
        "lines_read": len(rejected) + 1, "documents_sent": len(rejected), "acknowledged": 0,
        "duplicates": 0, "failed_again": len(rejected), "malformed": 1,
    }
    kept_lines = dead_letter_path.read_text(encoding="utf-8").splitlines()
    assert kept_lines[-1] == broken_line
    kept = [json.loads(line) for line in kept_lines[:-1]]
    assert sorted(line["_id"] for line in kept) == sorted(rejected)
    for line in kept:
        assert field_value(line, "status") == 400, line
        assert field_value(line, "error.type") == "mapper_parsing_exception", line
        assert line["_index"] == INDEX
        assert line["document"] == planned[line["_id"]], line["_id"]
    assert set(indexed_documents(cluster)) == indexed_before
    assert not Path(f"{dead_letter_path}.replay").exists()
