"""Alert data for the Defender API emulator: timestamps, samples, generated alerts, $filter.

Timestamps are compared as integer ticks of 100 ns since 0001-01-01T00:00:00Z, the unit and
epoch of .NET and of the ids the Defender API builds from them. Floats are never used, because
two `lastUpdateTime` values that differ only in the seventh fractional digit must stay distinct.
"""

from __future__ import annotations

import datetime
import json
import random
import re
import time
from pathlib import Path
from typing import Any, Callable, Iterable

TICKS_PER_SECOND = 10_000_000
SECONDS_PER_DAY = 86_400
UNIX_EPOCH_TICKS = (datetime.date(1970, 1, 1).toordinal() - 1) * SECONDS_PER_DAY * TICKS_PER_SECOND

# `lastUpdateTime` values in real responses sit on a 1/300 s grid (the SQL Server datetime
# precision), written with up to 7 fractional digits and trailing zeros dropped.
LAST_UPDATE_GRID_PER_SECOND = 300

TIMESTAMP_PATTERN = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?Z"
)

Alert = dict[str, Any]


class FilterError(ValueError):
    """An OData `$filter` that the emulator cannot parse or does not support."""


# --- timestamps ---------------------------------------------------------------------------


def parse_ticks(text: str) -> int:
    """Parse `YYYY-MM-DDTHH:MM:SS[.f{1,7}]Z` into 100 ns ticks since 0001-01-01.

    Raises ValueError for any other shape and for impossible dates such as February 30.
    """
    match = TIMESTAMP_PATTERN.fullmatch(text)
    if match is None:
        raise ValueError(f"invalid timestamp {text!r}: expected YYYY-MM-DDTHH:MM:SS[.fffffff]Z")
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    fraction = match.group(7) or ""
    moment = datetime.datetime(year, month, day, hour, minute, second)
    days = moment.date().toordinal() - 1
    seconds = days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second
    return seconds * TICKS_PER_SECOND + int(fraction.ljust(7, "0"))


def format_ticks(ticks: int, fraction_digits: int | None = None) -> str:
    """Format ticks as an ISO 8601 UTC timestamp ending in Z.

    With `fraction_digits` None, trailing zeros of the 7-digit fraction are dropped (a whole
    second gets no fraction), as the API writes `lastUpdateTime`. Otherwise the fraction is
    truncated to that many digits.
    """
    seconds, fraction = divmod(ticks, TICKS_PER_SECOND)
    days, second_of_day = divmod(seconds, SECONDS_PER_DAY)
    date = datetime.date.fromordinal(days + 1)
    hour, rest = divmod(second_of_day, 3600)
    minute, second = divmod(rest, 60)
    digits = f"{fraction:07d}"
    if fraction_digits is None:
        digits = digits.rstrip("0")
    else:
        digits = digits[:fraction_digits]
    text = f"{date.isoformat()}T{hour:02d}:{minute:02d}:{second:02d}"
    if digits:
        text += "." + digits
    return text + "Z"


def ticks_from_unix_ns(unix_ns: int) -> int:
    return UNIX_EPOCH_TICKS + unix_ns // 100


def now_ticks() -> int:
    return ticks_from_unix_ns(time.time_ns())


def snap_to_update_grid(ticks: int) -> int:
    """Round ticks down to the 1/300 s grid of `lastUpdateTime`, then to whole ticks."""
    steps = ticks * LAST_UPDATE_GRID_PER_SECOND // TICKS_PER_SECOND
    return next_grid_value(steps)


def next_grid_value(steps: int) -> int:
    """Return the ticks of grid step `steps`, rounded half up to a whole tick."""
    return (steps * TICKS_PER_SECOND + LAST_UPDATE_GRID_PER_SECOND // 2) // LAST_UPDATE_GRID_PER_SECOND


def grid_step_after(ticks: int) -> int:
    """Return the first grid value strictly after `ticks`."""
    steps = ticks * LAST_UPDATE_GRID_PER_SECOND // TICKS_PER_SECOND
    while next_grid_value(steps) <= ticks:
        steps += 1
    return next_grid_value(steps)


def last_update_ticks(alert: Alert) -> int | None:
    """Return the alert's `lastUpdateTime` in ticks, or None when it is missing or malformed."""
    value = alert.get("lastUpdateTime")
    if not isinstance(value, str):
        return None
    try:
        return parse_ticks(value)
    except ValueError:
        return None


# --- samples ------------------------------------------------------------------------------


def load_sample_alerts(directory: Path) -> list[Alert]:
    """Load alerts from every `*.json` file in `directory`, in file name order.

    A file with a `value` array contributes each element; a file holding one object with an
    `id` is a single-alert body. Files whose names start with `graph` (Microsoft Graph
    responses, another schema) or `error` (error and token bodies) are skipped, and so is any
    other JSON shape. When several files contain the same alert id, the first one wins.
    """
    alerts: list[Alert] = []
    seen_ids: set[str] = set()
    for path in sorted(directory.glob("*.json")):
        if path.name.startswith(("graph", "error")):
            continue
        with path.open(encoding="utf-8") as file:
            body = json.load(file)
        if isinstance(body, dict) and isinstance(body.get("value"), list):
            candidates = body["value"]
        elif isinstance(body, dict) and "id" in body:
            candidates = [body]
        else:
            continue
        for alert in candidates:
            if not isinstance(alert, dict) or not isinstance(alert.get("id"), str):
                continue
            if alert["id"] in seen_ids:
                continue
            seen_ids.add(alert["id"])
            alerts.append(alert)
    return alerts


def shift_alert_timestamps(alert: Alert, delta_seconds: int) -> Alert:
    """Return a copy of `alert` with every timestamp string moved by `delta_seconds`.

    The move is a whole number of seconds, so each value keeps its fractional digits exactly
    as written (0 to 7 digits, the 1/300 s grid of `lastUpdateTime`). Strings that are not
    timestamps are left alone, at any depth.
    """

    def shift(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: shift(item) for key, item in value.items()}
        if isinstance(value, list):
            return [shift(item) for item in value]
        if isinstance(value, str):
            match = TIMESTAMP_PATTERN.fullmatch(value)
            if match is None:
                return value
            try:
                ticks = parse_ticks(value)
            except ValueError:
                return value
            whole_seconds = format_ticks(ticks + delta_seconds * TICKS_PER_SECOND, fraction_digits=0)
            fraction = match.group(7)
            if fraction:
                return f"{whole_seconds[:-1]}.{fraction}Z"
            return whole_seconds
        return value

    return shift(alert)


def shift_samples_into_window(alerts: list[Alert], end_ticks: int, span_seconds: int) -> list[Alert]:
    """Move sample alerts so their `lastUpdateTime` values spread over a recent window.

    The samples span years, so a plain shift would leave most of them far outside a 24 h
    lookback. Instead the distinct `lastUpdateTime` values, in ascending order, are placed at
    even steps over `span_seconds` ending at `end_ticks`. All timestamps of one alert move by
    the same whole number of seconds, so the order inside an alert, the order of
    `lastUpdateTime` across alerts, and equal `lastUpdateTime` values are all kept. Alerts
    without a valid `lastUpdateTime` are returned unchanged.
    """
    distinct = sorted({ticks for ticks in map(last_update_ticks, alerts) if ticks is not None})
    if not distinct:
        return list(alerts)
    step_seconds = span_seconds // max(len(distinct) - 1, 1) if len(distinct) > 1 else 0
    end_second = end_ticks // TICKS_PER_SECOND
    target_second = {
        ticks: end_second - (len(distinct) - 1 - index) * step_seconds
        for index, ticks in enumerate(distinct)
    }
    shifted = []
    for alert in alerts:
        ticks = last_update_ticks(alert)
        if ticks is None:
            shifted.append(alert)
            continue
        delta = target_second[ticks] - ticks // TICKS_PER_SECOND
        shifted.append(shift_alert_timestamps(alert, delta))
    return shifted


# --- $filter ------------------------------------------------------------------------------

FILTERABLE_DATE_FIELDS = ("lastUpdateTime", "alertCreationTime")
COMPARISONS: dict[str, Callable[[int, int], bool]] = {
    "eq": lambda left, right: left == right,
    "ge": lambda left, right: left >= right,
    "gt": lambda left, right: left > right,
    "le": lambda left, right: left <= right,
    "lt": lambda left, right: left < right,
}
CONDITION_PATTERN = re.compile(r"\s*(\w+)\s+(\w+)\s+(\S+)\s*")

Condition = tuple[str, Callable[[int, int], bool], int]


def parse_filter(text: str) -> list[Condition]:
    """Parse `field op literal [and field op literal ...]` into a list of conditions.

    Fields are `lastUpdateTime` or `alertCreationTime`; operators are eq, ge, gt, le, lt;
    literals are unquoted timestamps ending in Z with 0 to 7 fractional digits. Anything else,
    including `or`, parentheses and quoted literals, raises FilterError.
    """
    if not text.strip():
        raise FilterError("The $filter expression is empty.")
    conditions = []
    for part in re.split(r"\s+and\s+", text.strip()):
        match = CONDITION_PATTERN.fullmatch(part)
        if match is None:
            raise FilterError(f"Cannot parse the $filter condition '{part}'.")
        field, operator, literal = match.groups()
        if field not in FILTERABLE_DATE_FIELDS:
            raise FilterError(f"The $filter field '{field}' is not supported.")
        if operator not in COMPARISONS:
            raise FilterError(f"The $filter operator '{operator}' is not supported.")
        try:
            ticks = parse_ticks(literal)
        except ValueError:
            raise FilterError(f"The $filter value '{literal}' is not a valid date literal.") from None
        conditions.append((field, COMPARISONS[operator], ticks))
    return conditions


def filterable_ticks(alert: Alert) -> dict[str, int | None]:
    """Return the ticks of each filterable date field, None where it is missing or malformed."""
    values: dict[str, int | None] = {}
    for field in FILTERABLE_DATE_FIELDS:
        value = alert.get(field)
        try:
            values[field] = parse_ticks(value) if isinstance(value, str) else None
        except ValueError:
            values[field] = None
    return values


def ticks_match(values: dict[str, int | None], conditions: Iterable[Condition]) -> bool:
    """Return whether every condition holds for `values` from `filterable_ticks`.

    A missing or null date never matches.
    """
    for field, compare, literal_ticks in conditions:
        ticks = values.get(field)
        if ticks is None or not compare(ticks, literal_ticks):
            return False
    return True


# --- generated alerts ---------------------------------------------------------------------

SEVERITIES = ("Informational", "Low", "Medium", "High")
STATUSES = ("New", "InProgress", "Resolved")
CATEGORIES = (
    "Malware", "Execution", "SuspiciousActivity", "CredentialAccess", "Persistence",
    "CommandAndControl", "LateralMovement", "DefenseEvasion", "UnwantedSoftware",
)
DETECTION_SOURCES = ("WindowsDefenderAv", "WindowsDefenderAtp", "CustomerTI", "AutomatedInvestigation")
INVESTIGATION_STATES = ("Queued", "Running", "Benign", "PendingApproval", "UnsupportedAlertType")
MITRE_TECHNIQUES = ("T1059.001", "T1055", "T1003.001", "T1547.001", "T1071.001", "T1218.011")
HOST_NAMES = ("ws-001", "ws-002", "srv-db01.corp.contoso.com", "laptop-77.corp.contoso.com")
USER_NAMES = ("alice", "bob", "svc-backup", "carol")
PROCESS_NAMES = ("powershell.exe", "rundll32.exe", "cmd.exe", "wscript.exe", "mshta.exe")
FILE_NAMES = ("invoice.docm", "update.exe", "payload.dll", "setup_x64.msi", "readme.js")
EVIDENCE_TYPES = ("File", "Process", "User", "Ip", "Url")

# The keys of one evidence item as the API sends them with `$expand=evidence`; every key is
# present and null unless the entity type fills it.
EVIDENCE_KEYS = (
    "entityType", "evidenceCreationTime", "sha1", "sha256", "fileName", "filePath",
    "processId", "processCommandLine", "processCreationTime", "parentProcessId",
    "parentProcessCreationTime", "parentProcessFileName", "parentProcessFilePath", "ipAddress",
    "url", "registryKey", "registryHive", "registryValueType", "registryValue",
    "registryValueName", "accountName", "domainName", "userSid", "aadUserId",
    "userPrincipalName", "detectionStatus",
)


class AlertGenerator:
    """Deterministic source of realistic alerts: one seed always yields the same sequence.

    Only the timestamps depend on the window passed to `generate`.
    """

    def __init__(self, seed: int, tenant_id: str) -> None:
        self.random = random.Random(seed)
        self.tenant_id = tenant_id
        self.used_ids: set[str] = set()

    def generate(self, count: int, window_end_ticks: int, span_seconds: int) -> list[Alert]:
        """Generate `count` alerts whose `lastUpdateTime` lies in the window before the end.

        About one alert in five shares the exact `lastUpdateTime` of the one before it, as
        alerts resolved together do.
        """
        span_ticks = max(span_seconds, 0) * TICKS_PER_SECOND
        alerts = []
        previous_update: int | None = None
        for _ in range(count):
            if previous_update is not None and self.random.random() < 0.2:
                update_ticks = previous_update
            else:
                offset = self.random.randrange(span_ticks + 1)
                update_ticks = snap_to_update_grid(window_end_ticks - offset)
            previous_update = update_ticks
            alerts.append(self.make_alert(update_ticks))
        return alerts

    def generate_shared(self, count: int, update_ticks: int) -> list[Alert]:
        """Generate `count` alerts that all share one `lastUpdateTime`, as a bulk resolve makes."""
        return [self.make_alert(update_ticks) for _ in range(count)]

    def make_alert(self, update_ticks: int) -> Alert:
        rng = self.random
        created_ticks = update_ticks - rng.randrange(1, 3600 * TICKS_PER_SECOND)
        last_event_ticks = created_ticks - rng.randrange(1, 300 * TICKS_PER_SECOND)
        first_event_ticks = last_event_ticks - rng.randrange(0, 600 * TICKS_PER_SECOND)
        status = rng.choice(STATUSES)
        host = rng.choice(HOST_NAMES)
        user = rng.choice(USER_NAMES)
        category = rng.choice(CATEGORIES)
        evidence = [
            self.make_evidence(rng.choice(EVIDENCE_TYPES), created_ticks, user)
            for _ in range(rng.randrange(4))
        ]
        return {
            "id": self.new_id(created_ticks),
            "incidentId": rng.randrange(1, 2_000_000),
            "investigationId": rng.choice((None, rng.randrange(1, 900_000))),
            "assignedTo": rng.choice((None, "secop@contoso.com", "Automation")),
            "severity": rng.choice(SEVERITIES),
            "status": status,
            "classification": "TruePositive" if status == "Resolved" else None,
            "determination": "Malware" if status == "Resolved" else None,
            "investigationState": rng.choice(INVESTIGATION_STATES),
            "detectionSource": rng.choice(DETECTION_SOURCES),
            "detectorId": self.new_guid(),
            "category": category,
            "threatFamilyName": rng.choice((None, "Emotet", "Mimikatz", "CobaltStrike")),
            "title": f"Generated {category} alert on {host}",
            "description": self.make_description(),
            "alertCreationTime": format_ticks(created_ticks, fraction_digits=7),
            "firstEventTime": format_ticks(first_event_ticks, fraction_digits=rng.randrange(8)),
            "lastEventTime": format_ticks(last_event_ticks, fraction_digits=rng.randrange(8)),
            "lastUpdateTime": format_ticks(update_ticks),
            "resolvedTime": format_ticks(update_ticks, fraction_digits=7) if status == "Resolved" else None,
            "machineId": f"{rng.getrandbits(160):040x}",
            "computerDnsName": host,
            "rbacGroupName": rng.choice((None, "Servers", "Workstations")),
            "aadTenantId": self.tenant_id,
            "threatName": None,
            "mitreTechniques": rng.sample(MITRE_TECHNIQUES, rng.randrange(3)),
            "relatedUser": rng.choice((None, {"userName": user, "domainName": "CONTOSO"})),
            "loggedOnUsers": [{"accountName": user, "domainName": "CONTOSO"}],
            "comments": [],
            "evidence": evidence,
            "domains": [],
        }

    def make_evidence(self, entity_type: str, created_ticks: int, user: str) -> dict[str, Any]:
        rng = self.random
        item: dict[str, Any] = dict.fromkeys(EVIDENCE_KEYS)
        item["entityType"] = entity_type
        item["evidenceCreationTime"] = format_ticks(created_ticks + rng.randrange(TICKS_PER_SECOND))
        if entity_type in ("File", "Process"):
            item["sha1"] = f"{rng.getrandbits(160):040x}"
            item["sha256"] = f"{rng.getrandbits(256):064x}"
            item["fileName"] = rng.choice(PROCESS_NAMES if entity_type == "Process" else FILE_NAMES)
            item["filePath"] = rng.choice(("C:\\Windows\\System32", "C:\\Users\\Public\\Downloads"))
            item["detectionStatus"] = rng.choice(("Detected", "Blocked", "Prevented", None))
        if entity_type == "Process":
            item["processId"] = rng.randrange(100, 65_000)
            item["processCommandLine"] = f"{item['fileName']} -nop -w hidden -enc {rng.getrandbits(64):x}"
            item["processCreationTime"] = format_ticks(created_ticks - TICKS_PER_SECOND)
            item["parentProcessId"] = rng.randrange(100, 65_000)
            item["parentProcessCreationTime"] = format_ticks(created_ticks - 60 * TICKS_PER_SECOND)
            item["parentProcessFileName"] = "explorer.exe"
            item["parentProcessFilePath"] = "C:\\Windows"
        elif entity_type == "User":
            item["accountName"] = user
            item["domainName"] = "CONTOSO"
            item["userSid"] = f"S-1-5-21-{rng.randrange(10**9)}-{rng.randrange(10**9)}-{rng.randrange(10**4)}"
            item["aadUserId"] = self.new_guid()
            item["userPrincipalName"] = f"{user}@contoso.com"
        elif entity_type == "Ip":
            # Real Ip evidence sometimes carries an empty or null address.
            item["ipAddress"] = rng.choice((f"203.0.113.{rng.randrange(1, 255)}", "", None))
        elif entity_type == "Url":
            item["url"] = f"http://malicious-{rng.randrange(1000)}.example.invalid/path"
        return item

    def make_description(self) -> str | None:
        rng = self.random
        roll = rng.random()
        if roll < 0.1:
            return None
        if roll < 0.2:
            # Zero-width and no-break spaces and a long text, all seen in real descriptions.
            return ("Generated description with a zero-width space\u200b and a no-break"
                    "\u00a0space.\n\n" + "Long detail line. " * 70)
        return "Generated description.\nA second line follows the first."

    def new_id(self, created_ticks: int) -> str:
        while True:
            alert_id = f"da{created_ticks}_{self.random.randrange(-2**31, 2**31)}"
            if alert_id not in self.used_ids:
                self.used_ids.add(alert_id)
                return alert_id

    def new_guid(self) -> str:
        value = f"{self.random.getrandbits(128):032x}"
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
