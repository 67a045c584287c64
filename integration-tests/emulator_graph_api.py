"""The Microsoft Graph `GET /v1.0/security/alerts_v2` endpoint of the emulator.

It serves the emulator's alert store converted to Graph's shape: camelCase enums, a string
`incidentId`, `*DateTime` names and typed evidence (`#microsoft.graph.security.fileEvidence`, ...),
with the alert's device and related user added as device and user evidence.

Query options: `$filter` on `lastUpdateDateTime` or `createdDateTime` follows the Defender
grammar (eq, ge, gt, le, lt joined by `and`, unquoted literals ending in Z). `$top` is 1 to 2000
and defaults to the emulator's page size, at most 2000. `$skiptoken` is an opaque offset that
only the `@odata.nextLink` of a previous page carries. A nextLink is sent whenever more rows
remain.
Tokens need the SecurityAlert.Read.All or SecurityAlert.ReadWrite.All role (403 otherwise) and
an audience that is the emulator's URL or a Graph host (401 otherwise). Faults, the rate limit
and the request log are those of /api/alerts; error bodies use Graph's shape.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import urllib.parse
import uuid
from http import HTTPStatus
from typing import Any

import defender_alerts
from defender_alerts import Alert, FilterError
from emulator_alerts_api import AlertsEndpoint
from emulator_state import IssuedToken

GRAPH_ROLES = ("SecurityAlert.Read.All", "SecurityAlert.ReadWrite.All")
GRAPH_AUDIENCES = ("https://graph.microsoft.com", "https://graph.microsoft.us", "https://dod-graph.microsoft.us")
GRAPH_MAX_TOP = 2000
GRAPH_FILTER_FIELDS = {"lastUpdateDateTime": "lastUpdateTime", "createdDateTime": "alertCreationTime"}
SUPPORTED_OPTIONS = ("$filter", "$top", "$skiptoken")

ALERT_RENAMES = {
    "alertCreationTime": "createdDateTime", "firstEventTime": "firstActivityDateTime",
    "lastEventTime": "lastActivityDateTime", "lastUpdateTime": "lastUpdateDateTime",
    "resolvedTime": "resolvedDateTime", "aadTenantId": "tenantId", "threatName": "threatDisplayName",
}
# Defender-only alert keys. The device and the related user become evidence, and Graph has no
# property for the others.
DEFENDER_ONLY_KEYS = ("machineId", "computerDnsName", "rbacGroupName", "relatedUser", "loggedOnUsers",
                      "investigationId", "investigationState", "domains", "alertFiles", "alertUser")
DETECTION_SOURCES = {
    "WindowsDefenderAtp": "microsoftDefenderForEndpoint", "WindowsDefenderAv": "antivirus",
    "WindowsDefenderSmartScreen": "smartScreen", "CustomerTI": "customTi", "OfficeATP": "microsoftDefenderForOffice365",
    "AutomatedInvestigation": "automatedInvestigation", "ThreatExperts": "microsoftThreatExperts",
    "CustomDetection": "customDetection", "AzureATP": "microsoftDefenderForIdentity", "MTP": "microsoft365Defender",
}
DETERMINATIONS = {"NotAvailable": "unknown", "CompromisedUser": "compromisedAccount", "Clean": "notMalicious",
                  "InsufficientData": "notEnoughDataToValidate", "ConfirmedUserActivity": "confirmedActivity"}
EVIDENCE_TYPES = {"File": "fileEvidence", "Process": "processEvidence", "User": "userEvidence", "Ip": "ipEvidence",
                  "Url": "urlEvidence", "MailBox": "mailboxEvidence"}
FILE_KEYS = ("sha1", "sha256", "fileName", "filePath")
ACCOUNT_KEYS = {"accountName": "accountName", "domainName": "domainName", "userSid": "userSid",
                "aadUserId": "azureAdUserId", "userPrincipalName": "userPrincipalName"}


# --- Defender alert to Graph alert --------------------------------------------------------


def camel_case(value: Any) -> Any:
    """Lower the first letter of a PascalCase enum member; other values pass unchanged."""
    if isinstance(value, str) and value:
        return value[0].lower() + value[1:]
    return value


def to_graph_alert(alert: Alert) -> dict[str, Any]:
    """Return the Graph alerts_v2 form of a Defender-shaped alert."""
    graph: dict[str, Any] = {"@odata.type": "#microsoft.graph.security.alert", "providerAlertId": alert.get("id"),
                             "serviceSource": "microsoftDefenderForEndpoint"}
    for key, value in alert.items():
        if key in DEFENDER_ONLY_KEYS or key == "evidence":
            continue
        if key == "incidentId":
            graph[key] = None if value is None else str(value)
        elif key == "severity":
            graph[key] = "unknown" if value == "UnSpecified" else camel_case(value)
        elif key in ("status", "classification"):
            graph[key] = camel_case(value)
        elif key == "determination":
            graph[key] = DETERMINATIONS.get(value, camel_case(value))
        elif key == "detectionSource":
            graph[key] = DETECTION_SOURCES.get(value, value)
        elif key == "comments" and isinstance(value, list):
            graph[key] = [{"comment": item.get("comment"), "createdByDisplayName": item.get("createdBy"),
                           "createdDateTime": item.get("createdTime")} for item in value if isinstance(item, dict)]
        else:
            graph[ALERT_RENAMES.get(key, key)] = value
    graph["evidence"] = graph_evidence(alert)
    return graph


def graph_evidence(alert: Alert) -> list[dict[str, Any]]:
    """Return the alert's evidence as Graph typed evidence, led by its device and related user."""
    items = alert.get("evidence")
    if not isinstance(items, list):
        items = [{**item, "entityType": "File"} for item in alert.get("alertFiles") or [] if isinstance(item, dict)]
    evidence: list[dict[str, Any]] = []
    if alert.get("machineId"):
        evidence.append({"@odata.type": "#microsoft.graph.security.deviceEvidence", "mdeDeviceId": alert["machineId"],
                         "deviceDnsName": alert.get("computerDnsName"), "rbacGroupName": alert.get("rbacGroupName"),
                         "loggedOnUsers": alert.get("loggedOnUsers") or [], "roles": [], "tags": []})
    related = alert.get("relatedUser")
    if isinstance(related, dict) and related.get("userName"):
        evidence.append({"@odata.type": "#microsoft.graph.security.userEvidence",
                         "userAccount": {"accountName": related["userName"], "domainName": related.get("domainName")}})
    return evidence + [graph_evidence_item(item) for item in items if isinstance(item, dict)]


def graph_evidence_item(item: dict[str, Any]) -> dict[str, Any]:
    """Return one Defender evidence item as a Graph typed evidence object."""
    present = {key: value for key, value in item.items() if value is not None}
    entity_type = str(present.pop("entityType", "Unknown"))
    type_name = EVIDENCE_TYPES.get(entity_type, camel_case(entity_type) + "Evidence")
    if entity_type == "Registry":
        type_name = "registryValueEvidence" if "registryValueName" in present else "registryKeyEvidence"
    graph: dict[str, Any] = {"@odata.type": f"#microsoft.graph.security.{type_name}", "verdict": "unknown",
                             "remediationStatus": "none", "roles": [], "tags": []}
    if "evidenceCreationTime" in present:
        graph["createdDateTime"] = present.pop("evidenceCreationTime")
    if "detectionStatus" in present:
        graph["detectionStatus"] = camel_case(present.pop("detectionStatus"))
    for key in ("processCreationTime", "parentProcessCreationTime"):
        if key in present:
            graph[key.replace("Time", "DateTime")] = present.pop(key)
    file_details = {key: present.pop(key) for key in FILE_KEYS if key in present}
    if file_details:
        graph["imageFile" if entity_type == "Process" else "fileDetails"] = file_details
    parent = {name: present.pop(key) for key, name in (("parentProcessFileName", "fileName"),
                                                      ("parentProcessFilePath", "filePath")) if key in present}
    if parent:
        graph["parentProcessImageFile"] = parent
    account = {name: present.pop(key) for key, name in ACCOUNT_KEYS.items() if key in present}
    if account:
        graph["userAccount"] = account
    graph.update(present)
    return graph


# --- query options ------------------------------------------------------------------------


def parse_graph_filter(text: str) -> list[defender_alerts.Condition]:
    """Parse a Graph `$filter` into the store's conditions, raising FilterError when invalid."""
    conditions = []
    for part in text.strip().split(" and "):
        match = defender_alerts.CONDITION_PATTERN.fullmatch(part)
        if match is None:
            raise FilterError(f"Invalid filter clause: '{part}'.")
        field, operator, literal = match.groups()
        if field not in GRAPH_FILTER_FIELDS:
            raise FilterError(f"Filtering on '{field}' is not supported.")
        if operator not in defender_alerts.COMPARISONS:
            raise FilterError(f"The operator '{operator}' is not supported.")
        try:
            ticks = defender_alerts.parse_ticks(literal)
        except ValueError:
            raise FilterError(f"'{literal}' is not a valid DateTimeOffset literal.") from None
        conditions.append((GRAPH_FILTER_FIELDS[field], defender_alerts.COMPARISONS[operator], ticks))
    return conditions


def encode_skip_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset={offset}".encode()).decode().rstrip("=")


def decode_skip_token(token: str) -> int:
    """Return the offset in a `$skiptoken`, raising FilterError for one this emulator did not issue."""
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise FilterError("The $skiptoken is invalid.") from None
    name, _, value = text.partition("=")
    if name != "offset" or not value.isdigit():
        raise FilterError("The $skiptoken is invalid.")
    return int(value)


def token_audience(token_text: str) -> str | None:
    """Return the `aud` claim of an emulator-issued JWT, or None when it cannot be read."""
    parts = token_text.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError):
        return None
    audience = payload.get("aud") if isinstance(payload, dict) else None
    return audience if isinstance(audience, str) else None


# --- the endpoint -------------------------------------------------------------------------


class GraphAlertsEndpoint(AlertsEndpoint):
    """Handler of GET /v1.0/security/alerts_v2."""

    def handle_graph_alerts(self, method: str, query: str) -> None:
        endpoint = "graph_alerts"
        if method != "GET":
            self.send_graph_error(endpoint, query, 405, "Request_BadRequest", "Use GET.")
            return
        now = self.record_call(endpoint)
        token = self.check_graph_token(endpoint, now)
        if token is None:
            return

        def send_throttled(headers: dict[str, str]) -> None:
            self.send_graph_error(endpoint, query, 429, "TooManyRequests", "Too many requests.", headers)

        if not self.admit(endpoint, query, token, now, send_throttled):
            return
        try:
            self.send_graph_page(endpoint, query)
        except FilterError as error:
            self.send_graph_error(endpoint, query, 400, "BadRequest", str(error))

    def check_graph_token(self, endpoint: str, now: float) -> IssuedToken | None:
        """Return the request's valid Graph token, or send 401 or 403 and return None."""
        scheme, _, token_text = (self.headers.get("Authorization") or "").partition(" ")
        with self.state.lock:
            token = self.state.tokens.get(token_text.strip()) if scheme.lower() == "bearer" else None
        if token is None or token.expires_at <= now:
            self.send_graph_error(endpoint, "", 401, "InvalidAuthenticationToken", "Access token is empty, invalid or expired.")
            return None
        audience = token_audience(token_text.strip())
        if audience not in (self.base_url, *GRAPH_AUDIENCES):
            self.send_graph_error(endpoint, "", 401, "InvalidAuthenticationToken",
                                  f"Access token validation failure. Invalid audience '{audience}'.")
            return None
        if not any(role in token.roles for role in GRAPH_ROLES):
            self.send_graph_error(endpoint, "", 403, "Forbidden",
                                  "Missing role permissions on the request: SecurityAlert.Read.All.")
            return None
        return token

    def send_graph_page(self, endpoint: str, query: str) -> None:
        options: dict[str, str] = {}
        for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
            if key.startswith("$") and key not in SUPPORTED_OPTIONS:
                raise FilterError(f"The query option '{key}' is not supported by the emulator.")
            options[key] = value
        conditions = parse_graph_filter(options["$filter"]) if "$filter" in options else []
        with self.state.lock:
            matching = self.state.matching_alerts(conditions)
            top = min(self.state.config.page_size, GRAPH_MAX_TOP)
        if "$top" in options:
            if not options["$top"].isdigit() or not 1 <= int(options["$top"]) <= GRAPH_MAX_TOP:
                raise FilterError(f"The value of $top must be from 1 to {GRAPH_MAX_TOP}, not '{options['$top']}'.")
            top = int(options["$top"])
        offset = decode_skip_token(options["$skiptoken"]) if "$skiptoken" in options else 0

        rows = matching[offset: offset + top]
        body: dict[str, Any] = {"@odata.context": f"{self.base_url}/v1.0/$metadata#security/alerts_v2",
                                "value": [to_graph_alert(alert) for alert in rows]}
        if offset + top < len(matching):
            pairs = [(key, value) for key, value in options.items() if key != "$skiptoken"]
            pairs.append(("$skiptoken", encode_skip_token(offset + top)))
            body["@odata.nextLink"] = (f"{self.base_url}/v1.0/security/alerts_v2?"
                                       + urllib.parse.urlencode(pairs, safe="$:", quote_via=urllib.parse.quote))
        self.log_alert_request(endpoint, query, 200, len(rows))
        self.send_json(HTTPStatus.OK, body)

    def send_graph_error(self, endpoint: str, query: str, status: int, code: str, message: str,
                         headers: dict[str, str] | None = None) -> None:
        self.log_alert_request(endpoint, query, status, 0)
        inner = {"date": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()), "request-id": str(uuid.uuid4())}
        self.send_json(status, {"error": {"code": code, "message": message, "innerError": inner}}, headers)
