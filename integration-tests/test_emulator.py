"""Tests of the Defender API emulator and of the harness that starts the test servers."""

from __future__ import annotations

import base64
import gzip
import json
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any, Iterator

import pytest

import defender_alerts
import defender_emulator
import harness
from harness import Emulator, HttpResponse

FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}
SAMPLE_IDS = {
    "da637306396589640224_1753239473",
    "da637472900382838869_1364969609",
    "da637308392288907382_-880718168",
    "ar638200000000000001_12345678",
    "da0c7e089d-5ff6-4e04-8000-000000000001_1",
    "da638181185158896141_-667602127",
    "da637029414680409372_735564929",
}


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[Emulator]:
    """An emulator serving only the sample alerts, with its log in the test's tmp_path."""
    with harness.running_emulator("--quiet", log_dir=tmp_path) as running:
        yield running


@pytest.fixture
def empty_emulator(tmp_path: Path) -> Iterator[Emulator]:
    """An emulator without any alerts, for tests that add their own."""
    with harness.running_emulator("--no-samples", log_dir=tmp_path) as running:
        yield running


def post_token(emulator: Emulator, version: int, tenant: str | None = None, **overrides: str) -> HttpResponse:
    form = {
        "grant_type": "client_credentials",
        "client_id": emulator.client_id,
        "client_secret": emulator.client_secret,
    }
    if version == 2:
        form["scope"] = "https://api.securitycenter.microsoft.com/.default"
    else:
        form["resource"] = "https://api.securitycenter.microsoft.com"
    form.update(overrides)
    path = "oauth2/v2.0/token" if version == 2 else "oauth2/token"
    url = f"{emulator.url}/{tenant or emulator.tenant_id}/{path}"
    return harness.http_request("POST", url, urllib.parse.urlencode(form), FORM_HEADERS)


def jwt_payload(token: str) -> dict[str, Any]:
    parts = token.split(".")
    assert len(parts) == 3
    padded = parts[1] + "=" * (-len(parts[1]) % 4)
    return json.loads(base64.urlsafe_b64decode(padded))


def alert_ids(response: HttpResponse) -> list[str]:
    assert response.status == 200, response.decoded_body()
    return [alert["id"] for alert in response.json()["value"]]


def filtered_ids(emulator: Emulator, token: str, expression: str) -> set[str]:
    return set(alert_ids(emulator.get_alerts(token, {"$filter": expression})))


# --- tokens -------------------------------------------------------------------------------


def test_token_v2_success(emulator: Emulator) -> None:
    response = post_token(emulator, version=2)

    assert response.status == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3599
    payload = jwt_payload(body["access_token"])
    assert payload["aud"] == "https://api.securitycenter.microsoft.com"
    assert payload["tid"] == emulator.tenant_id
    assert payload["roles"] == ["Alert.Read.All"]
    assert payload["appid"] == emulator.client_id


def test_token_v1_sends_numbers_as_strings(emulator: Emulator) -> None:
    response = post_token(emulator, version=1)

    assert response.status == 200
    body = response.json()
    assert body["expires_in"] == "3599"
    assert body["resource"] == "https://api.securitycenter.microsoft.com"
    assert int(body["expires_on"]) - int(body["not_before"]) == 3599
    assert jwt_payload(body["access_token"])["aud"] == "https://api.securitycenter.microsoft.com"


def test_tokens_are_unique(emulator: Emulator) -> None:
    first = emulator.fetch_token()
    second = emulator.fetch_token()

    assert first != second


@pytest.mark.parametrize(
    ("case", "status", "error", "code"),
    [
        ("unknown tenant", 400, "invalid_request", 90002),
        ("unknown client id", 400, "unauthorized_client", 700016),
        ("wrong secret", 401, "invalid_client", 7000215),
        ("expired secret", 401, "invalid_client", 7000222),
    ],
)
@pytest.mark.parametrize("version", [1, 2])
def test_token_error_bodies(emulator: Emulator, version: int, case: str, status: int, error: str, code: int) -> None:
    tenant = None
    overrides = {}
    if case == "unknown tenant":
        tenant = "99999999-9999-9999-9999-999999999999"
    elif case == "unknown client id":
        overrides["client_id"] = "22222222-2222-2222-2222-222222222222"
    elif case == "wrong secret":
        overrides["client_secret"] = "the-secret-id-instead-of-its-value"
    else:
        emulator.configure(expired_secret=True)

    response = post_token(emulator, version, tenant, **overrides)

    assert response.status == status
    body = response.json()
    assert body["error"] == error
    assert body["error_description"].startswith(f"AADSTS{code}: ")
    assert body["error_codes"] == [code]
    assert body["trace_id"] in body["error_description"]
    assert body["correlation_id"] in body["error_description"]
    assert "access_token" not in body
    assert emulator.stats()["token_errors"] == {str(code): 1}


def test_token_scope_without_default_suffix(emulator: Emulator) -> None:
    response = post_token(emulator, 2, scope="https://api.securitycenter.microsoft.com/Alert.Read.All")

    assert response.status == 400
    assert response.json()["error"] == "invalid_scope"


def test_token_lifetime_is_configurable(emulator: Emulator) -> None:
    emulator.configure(token_lifetime=1)

    body = post_token(emulator, version=2).json()
    time.sleep(1.2)
    response = emulator.get_alerts(body["access_token"])

    assert body["expires_in"] == 1
    assert response.status == 401
    assert response.json()["error"]["code"] == "Unauthorized"
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_expire_tokens_now(emulator: Emulator) -> None:
    token = emulator.fetch_token()
    assert emulator.get_alerts(token).status == 200

    assert emulator.expire_tokens() == 1
    response = emulator.get_alerts(token)

    assert response.status == 401
    assert emulator.get_alerts(emulator.fetch_token()).status == 200


def test_alerts_without_token(emulator: Emulator) -> None:
    missing = harness.http_request("GET", f"{emulator.url}/api/alerts")
    unknown = emulator.get_alerts("not-a-token-issued-here")

    assert missing.status == 401
    assert unknown.status == 401
    assert unknown.json()["error"]["code"] == "Unauthorized"


def test_token_without_alert_role_gets_403(emulator: Emulator) -> None:
    emulator.configure(roles=["Machine.Read.All"])
    token = emulator.fetch_token()

    response = emulator.get_alerts(token)

    assert response.status == 403
    assert response.json()["error"]["code"] == "Forbidden"
    assert jwt_payload(token)["roles"] == ["Machine.Read.All"]


# --- listing and filtering ----------------------------------------------------------------


def test_samples_are_served_ordered_by_id(emulator: Emulator) -> None:
    ids = alert_ids(emulator.get_alerts(emulator.fetch_token()))

    assert set(ids) == SAMPLE_IDS
    assert ids == sorted(ids)


def test_samples_shifted_into_recent_hours(tmp_path: Path) -> None:
    samples = defender_alerts.load_sample_alerts(defender_emulator.DEFAULT_SAMPLES)
    original = {alert["id"]: alert for alert in samples}
    with harness.running_emulator("--quiet", "--shift-samples-hours", "6", log_dir=tmp_path) as emulator:
        shifted = {alert["id"]: alert for alert in emulator.alerts()}
    now = defender_alerts.ticks_from_unix_ns(time.time_ns())
    window_start = now - 7 * 3600 * defender_alerts.TICKS_PER_SECOND

    assert shifted.keys() == original.keys()
    for alert_id, alert in shifted.items():
        ticks = defender_alerts.parse_ticks(alert["lastUpdateTime"])
        assert window_start < ticks < now, alert_id
        # The fractional digits stay exactly as written.
        assert alert["lastUpdateTime"][19:] == original[alert_id]["lastUpdateTime"][19:]
    by_original = sorted(original, key=lambda key: defender_alerts.parse_ticks(original[key]["lastUpdateTime"]))
    by_shifted = sorted(shifted, key=lambda key: defender_alerts.parse_ticks(shifted[key]["lastUpdateTime"]))
    assert by_shifted == by_original


def test_expand_evidence(emulator: Emulator) -> None:
    token = emulator.fetch_token()

    plain = {alert["id"]: alert for alert in emulator.get_alerts(token).json()["value"]}
    expanded = {alert["id"]: alert for alert in emulator.get_alerts(token, {"$expand": "evidence"}).json()["value"]}

    legacy_id = "da637029414680409372_735564929"
    assert all(alert["evidence"] == [] for key, alert in plain.items() if key != legacy_id)
    assert "evidence" not in plain[legacy_id]
    assert len(expanded["da637472900382838869_1364969609"]["evidence"]) == 3
    assert len(expanded["da638181185158896141_-667602127"]["evidence"]) == 4


def test_filter_ticks_precision(empty_emulator: Emulator) -> None:
    emulator = empty_emulator
    emulator.add_alerts([
        {"id": "a-same-1", "lastUpdateTime": "2024-01-01T00:00:00.1234567Z"},
        {"id": "a-same-2", "lastUpdateTime": "2024-01-01T00:00:00.1234567Z"},
        {"id": "b-next-tick", "lastUpdateTime": "2024-01-01T00:00:00.1234568Z"},
        {"id": "c-six-digits", "lastUpdateTime": "2024-01-01T00:00:00.123456Z"},
        {"id": "d-whole-second", "lastUpdateTime": "2024-01-01T00:00:00Z"},
        {"id": "e-later", "lastUpdateTime": "2024-01-01T00:05:00.5Z"},
        {"id": "f-null", "lastUpdateTime": None},
    ])
    token = emulator.fetch_token()
    stamp = "2024-01-01T00:00:00.1234567Z"

    assert filtered_ids(emulator, token, f"lastUpdateTime ge {stamp}") == {"a-same-1", "a-same-2", "b-next-tick", "e-later"}
    assert filtered_ids(emulator, token, f"lastUpdateTime gt {stamp}") == {"b-next-tick", "e-later"}
    assert filtered_ids(emulator, token, f"lastUpdateTime le {stamp}") == {"a-same-1", "a-same-2", "c-six-digits", "d-whole-second"}
    assert filtered_ids(emulator, token, f"lastUpdateTime lt {stamp}") == {"c-six-digits", "d-whole-second"}
    assert filtered_ids(emulator, token, f"lastUpdateTime eq {stamp}") == {"a-same-1", "a-same-2"}
    # Six digits written and seven digits compared: .123456 equals .1234560.
    assert filtered_ids(emulator, token, "lastUpdateTime ge 2024-01-01T00:00:00.1234560Z and lastUpdateTime le 2024-01-01T00:00:00.123456Z") == {"c-six-digits"}
    assert filtered_ids(emulator, token, "lastUpdateTime ge 2024-01-01T00:00:00Z and lastUpdateTime lt 2024-01-01T00:05:00Z") == {
        "a-same-1", "a-same-2", "b-next-tick", "c-six-digits", "d-whole-second"}


@pytest.mark.parametrize(
    "expression",
    [
        "lastUpdateTime ge '2024-01-01T00:00:00Z'",
        "lastUpdateTime ge 2024-01-01T00:00:00",
        "lastUpdateTime ge 2024-01-01T00:00:00.12345678Z",
        "lastUpdateTime ge 2024-02-30T00:00:00Z",
        "lastUpdateTime between 2024-01-01T00:00:00Z",
        "lastUpdateTime ge 2024-01-01T00:00:00Z or lastUpdateTime lt 2024-01-02T00:00:00Z",
        "severity ge 2024-01-01T00:00:00Z",
        "",
    ],
)
def test_filter_rejects_invalid_expression(emulator: Emulator, expression: str) -> None:
    response = emulator.get_alerts(emulator.fetch_token(), {"$filter": expression})

    assert response.status == 400
    error = response.json()["error"]
    assert error["code"] == "ODataError"
    assert error["message"]
    assert error["target"]


def test_paging_with_top_and_skip(tmp_path: Path) -> None:
    with harness.running_emulator("--quiet", "--no-samples", "--generate", "25", log_dir=tmp_path) as emulator:
        token = emulator.fetch_token()
        pages = [emulator.get_alerts(token, {"$top": "10", "$skip": str(skip), "$expand": "evidence"}).json()
                 for skip in (0, 10, 20, 30)]
        all_ids = [alert["id"] for alert in emulator.alerts()]

    assert [len(page["value"]) for page in pages] == [10, 10, 5, 0]
    assert all("@odata.nextLink" not in page for page in pages)
    paged_ids = [alert["id"] for page in pages for alert in page["value"]]
    assert paged_ids == sorted(all_ids)


def test_next_link_without_top(tmp_path: Path) -> None:
    with harness.running_emulator("--quiet", "--no-samples", "--generate", "25", "--page-size", "10", log_dir=tmp_path) as emulator:
        token = emulator.fetch_token()
        first = emulator.get_alerts(token, {"$filter": "lastUpdateTime ge 2000-01-01T00:00:00Z"}).json()
        next_link = first["@odata.nextLink"]
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(next_link).query)
        second = emulator.get_alerts(token, urllib.parse.urlsplit(next_link).query).json()

    assert len(first["value"]) == 10
    assert next_link.startswith(emulator.url + "/api/alerts?")
    assert query["$skip"] == ["10"]
    assert query["$filter"] == ["lastUpdateTime ge 2000-01-01T00:00:00Z"]
    assert len(second["value"]) == 10


@pytest.mark.parametrize("query", ["$top=10001", "$top=-1", "$skip=abc", "$expand=comments", "$orderby=id"])
def test_invalid_query_options(emulator: Emulator, query: str) -> None:
    response = emulator.get_alerts(emulator.fetch_token(), query)

    assert response.status == 400
    assert response.json()["error"]["code"] == "ODataError"


def test_gzip_when_requested(emulator: Emulator) -> None:
    token = emulator.fetch_token()

    compressed = emulator.get_alerts(token, {"$expand": "evidence"}, {"Accept-Encoding": "gzip"})
    plain = emulator.get_alerts(token, {"$expand": "evidence"})

    assert compressed.headers["content-encoding"] == "gzip"
    assert json.loads(gzip.decompress(compressed.body)) == json.loads(plain.body)
    assert "content-encoding" not in plain.headers


@pytest.mark.parametrize(
    ("accept_encoding", "expected"),
    [("deflate", "deflate"), ("deflate, gzip;q=0.5", "gzip"), ("gzip;q=0, deflate", "deflate"), ("br", None)],
)
def test_content_encoding_choice(emulator: Emulator, accept_encoding: str, expected: str | None) -> None:
    response = emulator.get_alerts(emulator.fetch_token(), headers={"Accept-Encoding": accept_encoding})

    assert response.headers.get("content-encoding") == expected
    assert len(response.json()["value"]) == len(SAMPLE_IDS)


def test_single_alert(emulator: Emulator) -> None:
    token = emulator.fetch_token()

    found = harness.http_request("GET", f"{emulator.url}/api/alerts/da637472900382838869_1364969609",
                                 headers={"Authorization": f"Bearer {token}"})
    missing = harness.http_request("GET", f"{emulator.url}/api/alerts/no-such-alert",
                                   headers={"Authorization": f"Bearer {token}"})

    assert found.status == 200
    assert found.json()["id"] == "da637472900382838869_1364969609"
    assert missing.status == 404
    assert missing.json()["error"]["code"] == "ResourceNotFound"


# --- generated alerts ---------------------------------------------------------------------


def test_generated_alerts_are_deterministic(tmp_path: Path) -> None:
    arguments = ("--quiet", "--no-samples", "--generate", "200", "--seed", "7", "--now", "2024-06-01T12:00:00Z")
    with harness.running_emulator(*arguments, log_dir=tmp_path / "first") as emulator:
        first = emulator.alerts()
    with harness.running_emulator(*arguments, log_dir=tmp_path / "second") as emulator:
        second = emulator.alerts()

    assert first == second
    assert len(first) == 200


def test_generated_alert_shapes(tmp_path: Path) -> None:
    arguments = ("--quiet", "--no-samples", "--generate", "300", "--generate-hours", "10",
                 "--now", "2024-06-01T12:00:00Z", "--newest-age-seconds", "120")
    with harness.running_emulator(*arguments, log_dir=tmp_path) as emulator:
        alerts = emulator.alerts()
    end = defender_alerts.parse_ticks("2024-06-01T11:58:00Z")
    start = end - 10 * 3600 * defender_alerts.TICKS_PER_SECOND
    update_times = [alert["lastUpdateTime"] for alert in alerts]

    assert len(set(alert["id"] for alert in alerts)) == 300
    assert len(set(update_times)) < len(update_times), "some alerts must share one lastUpdateTime"
    assert {len(alert["evidence"]) for alert in alerts} == {0, 1, 2, 3}
    assert {item["entityType"] for alert in alerts for item in alert["evidence"]} == {"File", "Process", "User", "Ip", "Url"}
    for alert in alerts:
        ticks = defender_alerts.parse_ticks(alert["lastUpdateTime"])
        assert start - defender_alerts.TICKS_PER_SECOND <= ticks <= end, alert["lastUpdateTime"]
        assert defender_alerts.parse_ticks(alert["alertCreationTime"]) <= ticks
        assert isinstance(alert["incidentId"], int)


def test_update_moves_last_update_time(emulator: Emulator) -> None:
    alert_id = "da637472900382838869_1364969609"
    token = emulator.fetch_token()
    before = next(alert for alert in emulator.alerts() if alert["id"] == alert_id)["lastUpdateTime"]

    new_time = emulator.update_alerts([alert_id, "ar638200000000000001_12345678"], {"status": "Resolved"})
    updated = filtered_ids(emulator, token, f"lastUpdateTime ge {new_time}")

    assert defender_alerts.parse_ticks(new_time) > defender_alerts.parse_ticks(before)
    assert updated == {alert_id, "ar638200000000000001_12345678"}
    assert next(alert for alert in emulator.alerts() if alert["id"] == alert_id)["status"] == "Resolved"


def test_add_generated_alerts_at_runtime(empty_emulator: Emulator) -> None:
    ids = empty_emulator.generate_alerts(5, span_seconds=30, newest_age_seconds=90)

    stored = empty_emulator.alerts()

    assert len(ids) == 5
    assert sorted(ids) == [alert["id"] for alert in stored]


# --- throttling, faults, stats ------------------------------------------------------------


def test_rate_limit_answers_429(tmp_path: Path) -> None:
    with harness.running_emulator("--quiet", "--rate-limit-per-minute", "5", log_dir=tmp_path) as emulator:
        token = emulator.fetch_token()
        statuses = [emulator.get_alerts(token, {"$top": "1"}).status for _ in range(5)]
        throttled = emulator.get_alerts(token, {"$top": "1"})
        stats = emulator.stats()

    assert statuses == [200] * 5
    assert throttled.status == 429
    assert 1 <= int(throttled.headers["retry-after"]) <= 60
    assert throttled.json()["error"]["code"] == "TooManyRequests"
    assert stats["responses_429"] == 1
    assert stats["max_alert_calls_in_60s"] == 6


def test_rate_limit_change_at_runtime(emulator: Emulator) -> None:
    emulator.configure(rate_limit_per_minute=2)
    token = emulator.fetch_token()

    statuses = [emulator.get_alerts(token).status for _ in range(3)]

    assert statuses == [200, 200, 429]


@pytest.mark.parametrize("status", [429, 500, 503])
def test_injected_faults(emulator: Emulator, status: int) -> None:
    token = emulator.fetch_token()
    emulator.inject_fault(status, count=2, retry_after=7)

    responses = [emulator.get_alerts(token) for _ in range(3)]

    assert [response.status for response in responses] == [status, status, 200]
    assert responses[0].headers["retry-after"] == "7"
    assert responses[0].json()["error"]["code"]
    assert emulator.stats()["faults_sent"] == 2
    assert emulator.control("GET", "faults") == {"faults": []}


def test_fault_without_retry_after(emulator: Emulator) -> None:
    token = emulator.fetch_token()
    emulator.inject_fault(429)

    response = emulator.get_alerts(token)

    assert response.status == 429
    assert "retry-after" not in response.headers


def test_stats_count_and_reset(emulator: Emulator) -> None:
    token = emulator.fetch_token()
    emulator.get_alerts(token, {"$top": "2"})
    emulator.get_alerts(token, {"$filter": "bad"})

    stats = emulator.stats()
    requests = emulator.requests()
    emulator.reset_stats()
    after_reset = emulator.stats()

    assert stats["calls"] == {"token_v2": 1, "alerts": 2}
    assert stats["responses"]["alerts"] == {"200": 1, "400": 1}
    assert stats["tokens_issued"] == 1
    assert stats["alerts_returned"] == 2
    assert [entry["query"] for entry in requests] == [{"$top": "2"}, {"$filter": "bad"}]
    assert after_reset["calls"] == {}
    assert after_reset["tokens_issued"] == 0


def test_control_rejects_invalid_settings(emulator: Emulator) -> None:
    response = harness.http_request("POST", f"{emulator.url}/_emulator/config", {"token_lifetime": "soon"})
    unknown = harness.http_request("POST", f"{emulator.url}/_emulator/config", {"colour": "blue"})

    assert response.status == 400
    assert "token_lifetime" in response.json()["error"]
    assert unknown.status == 400


# --- lifecycle and harness ----------------------------------------------------------------


def test_emulator_exits_when_stdin_closes(tmp_path: Path) -> None:
    with harness.running_emulator("--quiet", "--no-samples", log_dir=tmp_path) as emulator:
        process = emulator.server.process

    assert process.returncode == 0
    assert "stopped" in (tmp_path / "defender-emulator.log").read_text()


def test_emulator_exits_when_parent_ends(tmp_path: Path) -> None:
    parent = subprocess.Popen(["sleep", "1"])
    log_path = tmp_path / "emulator.log"
    with log_path.open("wb") as log_file:
        emulator = subprocess.Popen(
            [sys.executable, str(harness.EMULATOR_SCRIPT), "--no-samples", "--no-stdin-watch",
             "--parent-pid", str(parent.pid)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log_file,
        )
    try:
        parent.wait(timeout=5)
        return_code = emulator.wait(timeout=10)
    finally:
        harness.stop_process(emulator, timeout=1)

    assert return_code == 0
    assert "stopped" in log_path.read_text()


def test_harness_starts_osmem_and_indexes(tmp_path: Path) -> None:
    with harness.running_osmem(log_dir=tmp_path) as cluster:
        result = cluster.bulk([
            {"create": {"_index": "harness-check", "_id": "one"}},
            {"message": "hello", "@timestamp": "2024-01-01T00:00:00.1234567Z"},
        ])
        cluster.refresh("harness-check")
        count = cluster.count("harness-check")
        hits = cluster.search("harness-check")["hits"]["hits"]
        mapping = cluster.mapping("harness-check")
        missing_template = cluster.index_template("no-such-template")

    assert result["errors"] is False
    assert count == 1
    assert hits[0]["_id"] == "one"
    assert "harness-check" in mapping
    assert missing_template is None


def test_harness_refuses_other_hosts() -> None:
    with pytest.raises(harness.HarnessError):
        harness.http_request("GET", "http://example.invalid/")


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("print('hello', flush=True); import sys; sys.stdin.read()", "is not {\"url\": ...}"),
        ("import sys; sys.stdin.read()", "no URL line on stdout within 1 s"),
        ("import sys; sys.exit(3)", "exit code 3"),
        ("print('{\"url\": \"http://example.invalid:9200\"}', flush=True)", "127.0.0.1 only"),
    ],
)
def test_harness_startup_failures(tmp_path: Path, script: str, expected: str) -> None:
    with pytest.raises(harness.HarnessError) as raised:
        harness.start_server_process("broken", [sys.executable, "-c", script], tmp_path, startup_timeout=1)

    assert expected in str(raised.value)
