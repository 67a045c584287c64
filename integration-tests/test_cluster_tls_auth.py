"""End-to-end tests of the shipper's cluster TLS and authentication, through nginx in front of osmem.

One osmem-server and one nginx serve the whole module. nginx has a TLS site per case: plain
TLS, basic authentication, an API key check and a certificate for another host name. Each test
replays one saved alert into an index of its own and then reads osmem directly, not through
nginx, so a failed run must leave that index and its template absent.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

import harness
import nginx_proxy
from harness import Cluster
from nginx_proxy import CertificateAuthority, NginxProxy, ProxySite, ServerCertificate
from test_end_to_end import (
    Shipper, ShipperResult, assert_no_crash, expected_document_count, field_value, index_count,
    indexed_documents, require_success,
)

ALERT_FILE = harness.REPO_ROOT / "Fixtures" / "defender" / "three-evidence-alert.json"
BASIC_USER = "shipper-writer"
BASIC_PASSWORD = "Corr3ct-Horse-Battery-91"
WRONG_PASSWORD = "Wr0ng-Passw0rd-7f3a"
API_KEY_ID = "mde-key-id-4711"
API_KEY_SECRET = "Ap1-Key-Secret-c0ffee"
WRONG_API_KEY_SECRET = "Wr0ng-Api-Key-beef"


@dataclass
class ProxiedCluster:
    """The module's cluster, nginx sites, certificates and folder."""

    cluster: Cluster
    proxy: NginxProxy
    authority: CertificateAuthority
    unrelated_authority: CertificateAuthority
    server_certificate: ServerCertificate
    directory: Path


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProxiedCluster]:
    directory = tmp_path_factory.mktemp("cluster-tls")
    authority = nginx_proxy.create_certificate_authority(directory / "ca", "mde-shipper test CA")
    unrelated = nginx_proxy.create_certificate_authority(directory / "unrelated-ca", "unrelated test CA")
    server = nginx_proxy.issue_server_certificate(authority, directory / "server",
                                                  ["IP:127.0.0.1", "DNS:localhost"])
    other_name = nginx_proxy.issue_server_certificate(authority, directory / "other-name", ["DNS:wrong.example"])
    htpasswd = directory / "htpasswd"
    htpasswd.write_text(nginx_proxy.apr1_htpasswd_line(BASIC_USER, BASIC_PASSWORD, directory), encoding="utf-8")
    sites = [
        ProxySite("tls", server),
        ProxySite("basic", server, htpasswd=htpasswd),
        ProxySite("api-key", server, api_key_header=nginx_proxy.api_key_header_value(API_KEY_ID, API_KEY_SECRET)),
        ProxySite("other-name", other_name),
    ]
    with harness.running_osmem(log_dir=directory / "logs") as cluster:
        with nginx_proxy.running_nginx(directory / "nginx", cluster.url, sites) as proxy:
            yield ProxiedCluster(cluster, proxy, authority, unrelated, server, directory)


@pytest.fixture(scope="module")
def binary() -> Path:
    return harness.shipper_binary()


@pytest.fixture
def shipper(binary: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Shipper:
    """A shipper whose index is named after the test, so tests sharing the cluster never meet."""
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    index = "tls-" + re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")
    return Shipper(binary, state_dir, emulator=None, cluster=None, index=index[:120])


def replay(shipper: Shipper, url: str, *arguments: str, environment: dict[str, str | None] | None = None,
           command: tuple[str, ...] = ("replay", str(ALERT_FILE))) -> ShipperResult:
    return shipper.run(*command, "--hosts", url, *arguments, environment=environment, timeout=60)


def saved_alert() -> dict[str, Any]:
    return json.loads(ALERT_FILE.read_text(encoding="utf-8"))["value"][0]


def assert_alert_shipped(proxied: ProxiedCluster, shipper: Shipper, result: ShipperResult) -> None:
    """Assert a successful run, and that osmem stores one document per evidence item of the alert."""
    alert = saved_alert()
    summary = require_success(result)
    assert summary.get("acknowledged") == expected_document_count(alert), summary
    documents = indexed_documents(proxied.cluster, shipper.index)
    assert len(documents) == expected_document_count(alert)
    assert {field_value(document, "event.id") for document in documents.values()} == {alert["id"]}


def assert_nothing_shipped(proxied: ProxiedCluster, shipper: Shipper, result: ShipperResult) -> str:
    """Assert a failed command that reached no cluster, and return its `<command> failed` error message."""
    assert_no_crash(result)
    assert result.returncode == 1, result.describe()
    assert index_count(proxied.cluster, shipper.index) == 0
    assert proxied.cluster.index_template(f"mde-shipper-{shipper.index}") is None
    command_failed = {"replay failed", "template failed"}
    failures = [line for line in result.log_lines() if line.get("message") in command_failed]
    assert len(failures) == 1, result.describe()
    assert failures[0].get("log.level") == "error", failures[0]
    return str(failures[0].get("error.message", ""))


def lines_with(result: ShipperResult, key: str) -> list[dict[str, Any]]:
    return [line for line in result.log_lines() if key in line]


def output_of(result: ShipperResult) -> str:
    return result.stdout + result.stderr


# --- TLS ----------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["flag", "environment", "localhost name"])
def test_ca_file_trusts_cluster(proxied: ProxiedCluster, shipper: Shipper, how: str) -> None:
    url = proxied.proxy.url("tls")
    ca = str(proxied.authority.certificate)
    arguments: tuple[str, ...] = ("--ca-file", ca)
    environment = None
    if how == "environment":
        arguments, environment = (), {"ELASTICSEARCH_CA": ca}
    elif how == "localhost name":
        url = url.replace("127.0.0.1", "localhost")

    result = replay(shipper, url, *arguments, environment=environment)

    assert_alert_shipped(proxied, shipper, result)
    identified = [line for line in result.log_lines() if line.get("message") == "cluster identified"]
    assert [line.get("cluster.host") for line in identified] == [url]


def test_untrusted_certificate_fails_naming_host(proxied: ProxiedCluster, shipper: Shipper) -> None:
    url = proxied.proxy.url("tls")

    result = replay(shipper, url)

    message = assert_nothing_shipped(proxied, shipper, result)
    assert url in message
    assert "tls" in message.lower()
    assert "certificate" in message.lower()


@pytest.mark.parametrize("form", ["upper case with colons", "lower case without colons"])
def test_ca_fingerprint_trusts_cluster(proxied: ProxiedCluster, shipper: Shipper, form: str) -> None:
    fingerprint = proxied.authority.fingerprint
    if form == "lower case without colons":
        fingerprint = fingerprint.replace(":", "").lower()

    result = replay(shipper, proxied.proxy.url("tls"), "--ca-fingerprint", fingerprint)

    assert_alert_shipped(proxied, shipper, result)
    pinned = [line.get("tls.ca.fingerprint") for line in lines_with(result, "tls.ca.fingerprint")]
    assert pinned == [proxied.authority.fingerprint]


def test_unrelated_ca_fingerprint_fails(proxied: ProxiedCluster, shipper: Shipper) -> None:
    url = proxied.proxy.url("tls")
    server_fingerprint = nginx_proxy.certificate_fingerprint(proxied.server_certificate.certificate)

    result = replay(shipper, url, "--ca-fingerprint", proxied.unrelated_authority.fingerprint)

    message = assert_nothing_shipped(proxied, shipper, result)
    assert url in message
    assert proxied.unrelated_authority.fingerprint in message
    assert "fingerprints seen" in message
    seen = message.partition("fingerprints seen")[2]
    assert server_fingerprint in seen
    assert proxied.authority.fingerprint in seen


@pytest.mark.parametrize("trust", ["--ca-file", "--ca-fingerprint"])
def test_certificate_for_other_name_fails(proxied: ProxiedCluster, shipper: Shipper, trust: str) -> None:
    # The certificate is signed by the trusted CA but names only wrong.example, so trusting the
    # CA must not skip the host name check.
    url = proxied.proxy.url("other-name")
    value = str(proxied.authority.certificate) if trust == "--ca-file" else proxied.authority.fingerprint

    result = replay(shipper, url, trust, value)

    message = assert_nothing_shipped(proxied, shipper, result)
    assert url in message
    assert "127.0.0.1" in message.partition(url)[2]


def test_insecure_ships_and_warns(proxied: ProxiedCluster, shipper: Shipper) -> None:
    result = replay(shipper, proxied.proxy.url("tls"), "--insecure")

    assert_alert_shipped(proxied, shipper, result)
    warnings = [line for line in lines_with(result, "tls.insecure") if line.get("log.level") == "warn"]
    assert len(warnings) == 1, result.describe()
    assert "verification" in str(warnings[0].get("message")).lower()


def test_template_install_over_tls(proxied: ProxiedCluster, shipper: Shipper) -> None:
    url = proxied.proxy.url("tls")

    untrusted = replay(shipper, url, command=("template", "install"))
    trusted = replay(shipper, url, "--ca-file", str(proxied.authority.certificate), command=("template", "install"))

    assert_no_crash(untrusted)
    assert url in untrusted.stderr
    assert trusted.returncode == 0, trusted.describe()
    template = proxied.cluster.index_template(f"mde-shipper-{shipper.index}")
    assert template is not None
    assert template.get("_meta", {}).get("managed_by") == "mde-shipper"


# --- basic authentication -----------------------------------------------------------------


@pytest.mark.parametrize("source", ["ELASTICSEARCH_PASSWORD", "ELASTICSEARCH_PASSWORD_FILE"])
def test_basic_auth_ships(proxied: ProxiedCluster, shipper: Shipper, tmp_path: Path, source: str) -> None:
    environment = {"ELASTICSEARCH_USERNAME": BASIC_USER, "ELASTICSEARCH_PASSWORD": BASIC_PASSWORD}
    if source == "ELASTICSEARCH_PASSWORD_FILE":
        password_file = tmp_path / "cluster-password"
        password_file.write_text(BASIC_PASSWORD + "\n", encoding="utf-8")
        environment = {"ELASTICSEARCH_USERNAME": BASIC_USER, "ELASTICSEARCH_PASSWORD_FILE": str(password_file)}

    result = replay(shipper, proxied.proxy.url("basic"), "--ca-file", str(proxied.authority.certificate),
                    "--log-level", "debug", environment=environment)

    assert_alert_shipped(proxied, shipper, result)
    assert BASIC_PASSWORD not in output_of(result)


def test_basic_auth_wrong_password_fails(proxied: ProxiedCluster, shipper: Shipper) -> None:
    url = proxied.proxy.url("basic")
    environment = {"ELASTICSEARCH_USERNAME": BASIC_USER, "ELASTICSEARCH_PASSWORD": WRONG_PASSWORD}

    result = replay(shipper, url, "--ca-file", str(proxied.authority.certificate), "--log-level", "debug",
                    environment=environment)

    message = assert_nothing_shipped(proxied, shipper, result)
    assert url in message
    assert "rejected the credentials" in message
    assert "401" in message
    assert BASIC_USER in message
    assert WRONG_PASSWORD not in result.stdout
    assert WRONG_PASSWORD not in result.stderr


# --- API keys -----------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["id:key", "base64", "key file"])
def test_api_key_ships(proxied: ProxiedCluster, shipper: Shipper, tmp_path: Path, form: str) -> None:
    encoded = nginx_proxy.api_key_header_value(API_KEY_ID, API_KEY_SECRET).removeprefix("ApiKey ")
    environment = {"ELASTICSEARCH_API_KEY": f"{API_KEY_ID}:{API_KEY_SECRET}"}
    if form == "base64":
        environment = {"ELASTICSEARCH_API_KEY": encoded}
    elif form == "key file":
        key_file = tmp_path / "cluster-api-key"
        key_file.write_text(encoded + "\n", encoding="utf-8")
        environment = {"ELASTICSEARCH_API_KEY_FILE": str(key_file)}

    result = replay(shipper, proxied.proxy.url("api-key"), "--ca-file", str(proxied.authority.certificate),
                    "--log-level", "debug", environment=environment)

    assert_alert_shipped(proxied, shipper, result)
    assert API_KEY_SECRET not in output_of(result)
    assert encoded not in output_of(result)


def test_api_key_wrong_key_fails(proxied: ProxiedCluster, shipper: Shipper) -> None:
    url = proxied.proxy.url("api-key")
    wrong = f"{API_KEY_ID}:{WRONG_API_KEY_SECRET}"
    wrong_encoded = nginx_proxy.api_key_header_value(API_KEY_ID, WRONG_API_KEY_SECRET).removeprefix("ApiKey ")

    result = replay(shipper, url, "--ca-file", str(proxied.authority.certificate), "--log-level", "debug",
                    environment={"ELASTICSEARCH_API_KEY": wrong})

    message = assert_nothing_shipped(proxied, shipper, result)
    assert url in message
    assert "rejected the credentials" in message
    assert API_KEY_ID in message
    assert WRONG_API_KEY_SECRET not in output_of(result)
    assert wrong_encoded not in output_of(result)


@pytest.mark.parametrize("site", ["basic", "api-key"])
def test_missing_credentials_fail(proxied: ProxiedCluster, shipper: Shipper, site: str) -> None:
    url = proxied.proxy.url(site)

    result = replay(shipper, url, "--ca-file", str(proxied.authority.certificate))

    message = assert_nothing_shipped(proxied, shipper, result)
    assert url in message
    assert "requires authentication" in message


# --- several hosts ------------------------------------------------------------------------


def test_closed_first_host_fails_over(proxied: ProxiedCluster, shipper: Shipper) -> None:
    closed = f"https://127.0.0.1:{nginx_proxy.free_loopback_port()}"
    working = proxied.proxy.url("tls")

    result = replay(shipper, f"{closed},{working}", "--ca-file", str(proxied.authority.certificate))

    assert_alert_shipped(proxied, shipper, result)
    host_failures = [line for line in result.log_lines() if line.get("message") == "cluster host failed"]
    assert [line.get("cluster.host") for line in host_failures] == [closed]
    assert host_failures[0].get("log.level") == "warn"
    identified = [line for line in result.log_lines() if line.get("message") == "cluster identified"]
    assert [line.get("cluster.host") for line in identified] == [working]
