"""End-to-end tests of `mde-shipper check` against the Defender emulator and osmem-server.

Each test runs one `check` and reads its report from standard output: one line per check that
starts with the status word (ok, FAIL, warn, skipped), then the item checked and the finding.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

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

CHECK_TIMEOUT_SECONDS = 60
WRONG_SECRET = "wrong-secret-value-for-check"
EXPECTED_SUBJECTS = [
    "defender token", "defender token roles", "defender token aud", "defender token tid",
    "defender alerts read", "cluster host", "cluster auth", "cluster privileges", "index template",
    "state directory", "dead-letter directory",
]


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
