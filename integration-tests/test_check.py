"""End-to-end tests of `mde-shipper check` against the Defender emulator and osmem-server.

Each test runs one `check` and reads its report from standard output: one line per check that
starts with the status word (ok, FAIL, warn, skipped), then the item checked and the finding.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import harness
from harness import DEFAULT_CLIENT_SECRET
from test_end_to_end import (  # noqa: F401 (pytest fixtures are found by name)
    Shipper,
    ShipperResult,
    binary,
    closed_loopback_port,
    servers,
    start_cluster,
    start_emulator,
    state_dir,
)
from test_multi_tenant import FIRST_TENANT, SECOND_TENANT, start_tenant, tenant_entry, write_config

CHECK_TIMEOUT_SECONDS = 60
WRONG_SECRET = "wrong-secret-value-for-check"
EXPECTED_SUBJECTS = [
    "defender token", "defender token roles", "defender token aud", "defender token tid",
    "defender alerts read", "cluster host", "cluster auth", "cluster privileges", "index template",
    "state directory", "dead-letter directory",
]
TENANT_SUBJECTS = ["defender token", "defender token roles", "defender token aud", "defender token tid",
                   "defender alerts read"]
GRAPH_ROLE = "SecurityAlert.Read.All"


def report_lines(result: ShipperResult) -> list[tuple[str, str, str]]:
    """Return (status, subject, finding) for every check line of the report, without the closing count."""
    lines = []
    for line in result.stdout.splitlines():
        if not line.strip() or line.startswith("check finished:"):
            continue
        status, _, rest = line.partition(" ")
        subject, _, finding = rest.strip().partition(": ")
        lines.append((status, subject, finding))
    return lines


def lines_about(result: ShipperResult, subject: str) -> list[tuple[str, str, str]]:
    return [line for line in report_lines(result) if line[1] == subject]


def assert_no_secret(result: ShipperResult, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in result.stdout, f"secret in the report\n{result.stdout}"
        assert secret not in result.stderr, f"secret in the log\n{result.describe()}"


def test_check_passes_with_good_settings(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                                         state_dir: Path) -> None:
    emulator = start_emulator(servers, tmp_path, "--shift-samples-hours", "6")
    cluster = start_cluster(servers, tmp_path)

    result = Shipper(binary, state_dir, emulator, cluster).run("check", timeout=CHECK_TIMEOUT_SECONDS)

    assert result.returncode == 0, f"{result.stdout}\n{result.describe()}"
    lines = report_lines(result)
    assert [subject for _, subject, _ in lines] == EXPECTED_SUBJECTS, result.stdout
    assert all(status == "ok" for status, _, _ in lines), result.stdout
    assert result.stdout.splitlines()[-1] == f"check finished: {len(EXPECTED_SUBJECTS)} ok, 0 warn, 0 FAIL, 0 skipped"
    assert_no_secret(result, DEFAULT_CLIENT_SECRET)


def test_check_explains_wrong_client_secret(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                                            state_dir: Path) -> None:
    emulator = start_emulator(servers, tmp_path)
    cluster = start_cluster(servers, tmp_path)

    result = Shipper(binary, state_dir, emulator, cluster).run(
        "check", environment={"MDE_CLIENT_SECRET": WRONG_SECRET}, timeout=CHECK_TIMEOUT_SECONDS)

    assert result.returncode == 1, f"{result.stdout}\n{result.describe()}"
    [(status, _, finding)] = lines_about(result, "defender token")
    assert status == "FAIL", result.stdout
    assert "AADSTS7000215" in finding
    assert "Value, not its Secret ID" in finding
    assert [status for status, _, _ in lines_about(result, "defender alerts read")] == ["skipped"]
    # The cluster side is still checked and passes.
    assert [status for status, _, _ in lines_about(result, "cluster privileges")] == ["ok"]
    assert_no_secret(result, WRONG_SECRET, DEFAULT_CLIENT_SECRET)


def test_check_names_missing_alert_role(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                                        state_dir: Path) -> None:
    emulator = start_emulator(servers, tmp_path, "--roles", "Machine.Read.All")
    cluster = start_cluster(servers, tmp_path)

    result = Shipper(binary, state_dir, emulator, cluster).run("check", timeout=CHECK_TIMEOUT_SECONDS)

    assert result.returncode == 1, f"{result.stdout}\n{result.describe()}"
    [(status, _, finding)] = lines_about(result, "defender token roles")
    assert status == "FAIL", result.stdout
    assert "lacks the role Alert.Read.All" in finding
    assert "roles: Machine.Read.All" in finding
    [(status, _, finding)] = lines_about(result, "defender alerts read")
    assert status == "FAIL", result.stdout
    assert "HTTP 403" in finding
    assert_no_secret(result, DEFAULT_CLIENT_SECRET)


def test_check_names_unreachable_host(binary: Path, state_dir: Path) -> None:
    down = f"http://127.0.0.1:{closed_loopback_port()}"

    result = Shipper(binary, state_dir).run("check", "--hosts", down, timeout=CHECK_TIMEOUT_SECONDS)

    assert result.returncode == 1, f"{result.stdout}\n{result.describe()}"
    assert [status for status, _, _ in lines_about(result, "defender")] == ["skipped"]
    [(status, _, finding)] = lines_about(result, "cluster host")
    assert status == "FAIL", result.stdout
    assert down in finding
    for subject in ("cluster auth", "cluster privileges", "index template"):
        assert [status for status, _, _ in lines_about(result, subject)] == ["skipped"], result.stdout


def test_check_without_settings_is_configuration_error(binary: Path, state_dir: Path) -> None:
    result = Shipper(binary, state_dir).run("check", timeout=CHECK_TIMEOUT_SECONDS)

    assert result.returncode == 2, f"{result.stdout}\n{result.describe()}"
    assert all(status == "skipped" for status, _, _ in report_lines(result)), result.stdout
    assert "found nothing to check" in result.stderr


def test_check_reports_each_tenant(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                                   state_dir: Path) -> None:
    first = start_tenant(servers, tmp_path, FIRST_TENANT, 5, seed=11)
    second = start_tenant(servers, tmp_path, SECOND_TENANT, 5, seed=22)
    cluster = start_cluster(servers, tmp_path)
    config = write_config(tmp_path, [
        tenant_entry(first, "first"),
        tenant_entry(second, "second", secret=WRONG_SECRET),
    ])

    result = Shipper(binary, state_dir, emulator=None, cluster=cluster).run(
        "check", "--config", str(config), timeout=CHECK_TIMEOUT_SECONDS)

    assert result.returncode == 1, f"{result.stdout}\n{result.describe()}"
    for subject in TENANT_SUBJECTS:
        assert [status for status, _, _ in lines_about(result, f"[first] {subject}")] == ["ok"], result.stdout
    [(status, _, finding)] = lines_about(result, "[second] defender token")
    assert status == "FAIL", result.stdout
    assert "AADSTS7000215" in finding
    assert "Value, not its Secret ID" in finding
    assert [status for status, _, _ in lines_about(result, "[second] defender alerts read")] == ["skipped"]
    assert [status for status, _, _ in lines_about(result, "cluster privileges")] == ["ok"], result.stdout
    assert second.stats()["calls"].get("alerts", 0) == 0
    assert_no_secret(result, WRONG_SECRET, first.client_secret)


def test_check_reads_graph_source(servers: contextlib.ExitStack, tmp_path: Path, binary: Path,
                                  state_dir: Path) -> None:
    logs = tmp_path / "logs"
    emulator = servers.enter_context(harness.running_emulator(
        "--quiet", "--roles", GRAPH_ROLE, "--shift-samples-hours", "6", log_dir=logs))
    cluster = start_cluster(servers, tmp_path)

    result = Shipper(binary, state_dir, emulator, cluster).run(
        "check", "--source", "graph", "--graph-url", emulator.url, timeout=CHECK_TIMEOUT_SECONDS)

    assert result.returncode == 0, f"{result.stdout}\n{result.describe()}"
    lines = report_lines(result)
    graph_subjects = [subject.replace("defender", "graph") for subject in TENANT_SUBJECTS]
    assert [subject for _, subject, _ in lines] == graph_subjects + EXPECTED_SUBJECTS[len(TENANT_SUBJECTS):]
    assert all(status == "ok" for status, _, _ in lines), result.stdout
    [(_, _, roles)] = lines_about(result, "graph token roles")
    assert GRAPH_ROLE in roles
    [(_, _, read)] = lines_about(result, "graph alerts read")
    assert f"GET {emulator.url}/v1.0/security/alerts_v2 with $top=1" in read
    assert "an alert" in read
    requests = [request for request in emulator.requests() if request["path"] == "/v1.0/security/alerts_v2"]
    assert len(requests) == 1, requests
    assert requests[0]["query"].get("$top") == "1", requests
    assert_no_secret(result, DEFAULT_CLIENT_SECRET)
