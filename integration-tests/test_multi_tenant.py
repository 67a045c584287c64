"""End-to-end tests of one `run --once` over two tenants, each served by its own emulator.

The tenants come from the config file's `tenants` list, each with its emulator's URL as its API
and login URL. Both tenants write into one index of one `osmem-server`, so a tenant's alerts are
found by the alert id (`event.id`) of each document.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import harness
from harness import Cluster, Emulator
from test_end_to_end import (  # noqa: F401 (pytest fixtures are found by name)
    Shipper,
    ShipperResult,
    binary,
    expected_document_count,
    field_value,
    indexed_documents,
    require_success,
    servers,
    start_cluster,
    state_dir,
)

FIRST_TENANT = "aaaaaaaa-1111-4111-8111-00000000000a"
SECOND_TENANT = "bbbbbbbb-2222-4222-8222-00000000000b"
WRONG_SECRET = "wrong-secret-value-for-second-tenant"
RUN_TIMEOUT_SECONDS = 90.0


def start_tenant(servers: contextlib.ExitStack, tmp_path: Path, tenant_id: str, alerts: int,
                 seed: int) -> Emulator:
    """Start an emulator for `tenant_id` with `alerts` generated alerts from its own seed."""
    return servers.enter_context(harness.running_emulator(
        "--quiet", "--no-samples", "--generate", str(alerts), "--seed", str(seed), tenant_id=tenant_id,
        log_dir=tmp_path / "logs" / tenant_id))


def tenant_entry(emulator: Emulator, name: str, secret_file: Path | None = None,
                 secret: str | None = None) -> dict[str, str]:
    """Return a `tenants` entry that reads `emulator`, with the secret inline or in `secret_file`."""
    entry = {"name": name, "tenant-id": emulator.tenant_id, "client-id": emulator.client_id,
             "api-url": emulator.url, "login-url": emulator.url}
    if secret_file is not None:
        secret_file.write_text((secret or emulator.client_secret) + "\n", encoding="utf-8")
        entry["client-secret-file"] = str(secret_file)
    else:
        entry["client-secret"] = secret or emulator.client_secret
    return entry


def write_config(tmp_path: Path, entries: list[dict[str, str]]) -> Path:
    path = tmp_path / "tenants.json"
    path.write_text(json.dumps({"tenants": entries}), encoding="utf-8")
    return path


def alert_ids_in_index(cluster: Cluster) -> dict[str, int]:
    """Return {alert id: document count} of the shared index."""
    counts: dict[str, int] = {}
    for document in indexed_documents(cluster).values():
        alert_id = field_value(document, "event.id")
        counts[alert_id] = counts.get(alert_id, 0) + 1
    return counts


def expected_counts(emulator: Emulator) -> dict[str, int]:
    return {alert["id"]: expected_document_count(alert) for alert in emulator.alerts()}


def run_two_tenants(servers: contextlib.ExitStack, tmp_path: Path, binary: Path, state_dir: Path,
                    second_alerts: int, second_secret: str | None = None
                    ) -> tuple[Emulator, Emulator, Cluster, ShipperResult]:
    """Start two emulators and a cluster, and run `run --once` over both tenants.

    The first tenant has 120 alerts and its secret inline. The second reads its secret from a
    file, which contains `second_secret` when given.
    """
    first = start_tenant(servers, tmp_path, FIRST_TENANT, 120, seed=11)
    second = start_tenant(servers, tmp_path, SECOND_TENANT, second_alerts, seed=22)
    cluster = start_cluster(servers, tmp_path)
    config = write_config(tmp_path, [
        tenant_entry(first, "first"),
        tenant_entry(second, "second", secret_file=tmp_path / "second.secret", secret=second_secret),
    ])
    shipper = Shipper(binary, state_dir, emulator=None, cluster=cluster)
    result = shipper.run_once("--config", str(config), "--page-size", "50", timeout=RUN_TIMEOUT_SECONDS)
    return first, second, cluster, result


def test_failed_tenant_does_not_stop_other(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                                           state_dir: Path) -> None:
    first, second, cluster, result = run_two_tenants(servers, tmp_path, binary, state_dir, 30, WRONG_SECRET)

    assert result.returncode == 1, result.describe()
    expected = expected_counts(first)
    assert alert_ids_in_index(cluster) == expected
    summary = result.summary()
    assert summary.get("alerts_read") == len(expected), summary
    assert summary.get("acknowledged") == sum(expected.values()), summary
    assert summary.get("tenants.failed") == 1, summary
    assert (state_dir / f"cursor-{FIRST_TENANT}.json").is_file()
    assert not (state_dir / f"cursor-{SECOND_TENANT}.json").exists()
    assert second.stats()["calls"].get("alerts", 0) == 0

    lines = result.log_lines()
    failed = [line for line in lines if line.get("message") == "tenant failed"]
    assert len(failed) == 1, result.describe()
    assert failed[0].get("tenant") == SECOND_TENANT, failed
    assert failed[0].get("tenant.name") == "second", failed
    assert failed[0].get("error.detail_code") == "AADSTS7000215", failed
    assert "Fix: the client secret is invalid" in failed[0].get("error.message", ""), failed
    final = lines[-1]
    assert final.get("message") == "run failed", result.describe()
    assert f"1 of 2 tenants failed: {SECOND_TENANT} (second): token_rejected AADSTS7000215" in final.get(
        "error.message", ""), final
    assert WRONG_SECRET not in result.stdout + result.stderr
    assert first.client_secret not in result.stdout + result.stderr


def test_two_tenants_ship_completely(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                                     state_dir: Path) -> None:
    first, second, cluster, result = run_two_tenants(servers, tmp_path, binary, state_dir, 80)

    summary = require_success(result)
    expected_first = expected_counts(first)
    expected_second = expected_counts(second)
    assert not expected_first.keys() & expected_second.keys(), "the two emulators generated the same alert ids"
    assert alert_ids_in_index(cluster) == expected_first | expected_second
    assert summary.get("alerts_read") == len(expected_first) + len(expected_second), summary
    assert summary.get("tenants.failed") == 0, summary

    for emulator in (first, second):
        cursor = json.loads((state_dir / f"cursor-{emulator.tenant_id}.json").read_text(encoding="utf-8"))
        assert cursor["tenant"] == emulator.tenant_id
        newest = max(alert["lastUpdateTime"] for alert in emulator.alerts())
        assert cursor["cursor"] == newest, (cursor, newest)
        assert emulator.stats()["calls"].get("alerts", 0) >= 1

    started = [line for line in result.log_lines() if line.get("message") == "run started"]
    assert started and started[0].get("tenants") == f"{FIRST_TENANT} (first), {SECOND_TENANT} (second)", started
