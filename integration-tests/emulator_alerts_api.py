"""The /api/alerts endpoint of the Defender API emulator: token check, faults, rate limit, paging."""

from __future__ import annotations

import time
import urllib.parse
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Callable

import defender_alerts
from defender_alerts import Alert, FilterError
from emulator_http import EmulatorRequestHandler, defender_error
from emulator_state import MAX_TOP, Fault, IssuedToken

READ_ROLES = ("Alert.Read.All", "Alert.ReadWrite.All")


@dataclass
class AlertQuery:
    conditions: list[defender_alerts.Condition]
    top: int | None
    skip: int
    expand_evidence: bool


SUPPORTED_QUERY_OPTIONS = ("$filter", "$top", "$skip", "$expand")


def parse_alert_query(query: str) -> AlertQuery:
    """Parse the OData query options of /api/alerts, raising FilterError for any invalid one."""
    options: dict[str, str] = {}
    for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
        if key.startswith("$") and key not in SUPPORTED_QUERY_OPTIONS:
            raise FilterError(f"The query option '{key}' is not supported.")
        if key in options:
            raise FilterError(f"The query option '{key}' was given more than once.")
        options[key] = value

    conditions = defender_alerts.parse_filter(options["$filter"]) if "$filter" in options else []
    top = parse_count(options, "$top")
    if top is not None and top > MAX_TOP:
        raise FilterError(f"The value of $top must be at most {MAX_TOP}, not {top}.")
    skip = parse_count(options, "$skip") or 0
    expand = options.get("$expand")
    if expand is not None and expand.strip().lower() != "evidence":
        raise FilterError(f"Cannot expand '{expand}': only 'evidence' can be expanded.")
    return AlertQuery(conditions=conditions, top=top, skip=skip, expand_evidence=expand is not None)


def parse_count(options: dict[str, str], name: str) -> int | None:
    if name not in options:
        return None
    text = options[name].strip()
    if not text.isdigit():
        raise FilterError(f"The value of {name} must be a non-negative integer, not '{options[name]}'.")
    return int(text)


def present_alert(alert: Alert, expand_evidence: bool) -> Alert:
    if expand_evidence or "evidence" not in alert:
        return alert
    return {**alert, "evidence": []}



class AlertsEndpoint(EmulatorRequestHandler):
    """Handlers of GET /api/alerts and GET /api/alerts/{id}."""

    def handle_alerts(self, query: str, alert_id: str | None) -> None:
        endpoint = "alert" if alert_id is not None else "alerts"
        now = self.record_call(endpoint)
        token = self.check_token(endpoint, now)
        if token is None:
            return

        def send_throttled(headers: dict[str, str]) -> None:
            self.send_alert_error(endpoint, query, 429, "TooManyRequests",
                                  "Rate limit of the application in this tenant was reached. Honour Retry-After.",
                                  headers)

        if not self.admit(endpoint, query, token, now, send_throttled):
            return

        try:
            options = parse_alert_query(query)
        except FilterError as error:
            self.send_alert_error(endpoint, query, 400, "ODataError", str(error))
            return

        with self.state.lock:
            self.state.apply_visible_updates(time.monotonic())
            fail_top_above = self.state.config.fail_top_above
        if fail_top_above and options.top is not None and options.top > fail_top_above:
            self.send_alert_error(endpoint, query, 500, "InternalServerError",
                                  f"The request timed out building {options.top} alerts; request fewer.")
            return

        if alert_id is not None:
            self.send_single_alert(endpoint, query, alert_id, options)
        else:
            self.send_alert_page(endpoint, query, options)

    def record_call(self, endpoint: str) -> float:
        """Count a call to an alerts endpoint and return its time on the monotonic clock."""
        now = time.monotonic()
        with self.state.lock:
            self.state.count_call(endpoint)
            self.state.record_alert_call_time(now)
        return now

    def admit(self, endpoint: str, query: str, token: IssuedToken, now: float,
              send_throttled: Callable[[dict[str, str]], None]) -> bool:
        """Send a queued fault or, over the rate limit, a 429 and return False; otherwise return True."""
        fault = self.state.take_fault()
        if fault is not None:
            self.send_fault(endpoint, query, fault)
            return False
        with self.state.lock:
            retry_after = self.state.take_rate_limit_slot((token.client_id.lower(), token.tenant_id.lower()), now)
        if retry_after is not None:
            send_throttled({"Retry-After": str(retry_after)})
            return False
        return True

    def check_token(self, endpoint: str, now: float) -> IssuedToken | None:
        """Return the request's valid token, or send 401 or 403 and return None."""
        header = self.headers.get("Authorization") or ""
        scheme, _, token_text = header.partition(" ")
        if scheme.lower() != "bearer" or not token_text.strip():
            self.send_unauthorized(endpoint, "The Authorization header with a Bearer token is missing.")
            return None
        with self.state.lock:
            token = self.state.tokens.get(token_text.strip())
        if token is None:
            self.send_unauthorized(endpoint, "The access token is invalid.")
            return None
        if token.expires_at <= now:
            self.send_unauthorized(endpoint, "The access token has expired.")
            return None
        if not any(role in token.roles for role in READ_ROLES):
            self.send_alert_error(endpoint, "", 403, "Forbidden",
                                  "The application lacks the Alert.Read.All application permission of WindowsDefenderATP.")
            return None
        return token

    def send_unauthorized(self, endpoint: str, message: str) -> None:
        self.send_alert_error(endpoint, "", 401, "Unauthorized", message,
                              {"WWW-Authenticate": 'Bearer error="invalid_token"'})

    def send_fault(self, endpoint: str, query: str, fault: Fault) -> None:
        if fault.delay_seconds > 0:
            time.sleep(fault.delay_seconds)
        headers = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = str(fault.retry_after)
        if fault.status in (502, 504):
            # Gateways in front of the API send these with an HTML body, not JSON.
            html = f"<html><body><h1>{fault.status} {HTTPStatus(fault.status).phrase}</h1></body></html>".encode()
            self.log_alert_request(endpoint, query, fault.status, 0)
            self.send_bytes(fault.status, html, "text/html", headers)
            return
        codes = {403: "Forbidden", 429: "TooManyRequests", 500: "InternalServerError", 503: "ServiceUnavailable"}
        self.send_alert_error(endpoint, query, fault.status, codes[fault.status],
                              f"Injected fault: {HTTPStatus(fault.status).phrase}.", headers)

    def send_alert_error(self, endpoint: str, query: str, status: int, code: str, message: str,
                         headers: dict[str, str] | None = None) -> None:
        self.log_alert_request(endpoint, query, status, 0)
        self.send_json(status, defender_error(code, message), headers)

    def log_alert_request(self, endpoint: str, query: str, status: int, rows: int) -> None:
        with self.state.lock:
            self.state.count_response(endpoint, status)
            self.state.stats["alerts_returned"] += rows
            self.state.request_log.append({
                "path": urllib.parse.urlsplit(self.path).path,
                "query": dict(urllib.parse.parse_qsl(query, keep_blank_values=True)),
                "status": status,
                "rows": rows,
            })

    def send_single_alert(self, endpoint: str, query: str, alert_id: str, options: AlertQuery) -> None:
        with self.state.lock:
            alert = self.state.alerts.get(alert_id)
        if alert is None:
            self.send_alert_error(endpoint, query, 404, "ResourceNotFound", f"Alert {alert_id} was not found.")
            return
        body = {"@odata.context": f"{self.base_url}/api/$metadata#Alerts/$entity",
                **present_alert(alert, options.expand_evidence)}
        self.log_alert_request(endpoint, query, 200, 1)
        self.send_json(HTTPStatus.OK, body)

    def send_alert_page(self, endpoint: str, query: str, options: AlertQuery) -> None:
        with self.state.lock:
            self.state.churn_before_page(options.conditions, options.skip)
            matching = self.state.matching_alerts(options.conditions)
            config = self.state.config
            page_size, row_limit, malformed_link = config.page_size, config.row_limit, config.malformed_next_link
        # Rows past the row limit are never returned, whatever $skip and $top ask for.
        reachable = matching[:row_limit] if row_limit > 0 else matching
        limit = options.top if options.top is not None else page_size
        rows = reachable[options.skip: options.skip + limit]
        body: dict[str, Any] = {
            "@odata.context": f"{self.base_url}/api/$metadata#Alerts",
            "value": [present_alert(alert, options.expand_evidence) for alert in rows],
        }
        if options.top is None and options.skip + limit < len(reachable):
            body["@odata.nextLink"] = self.next_link(query, options.skip + limit)
        elif options.top is not None and malformed_link:
            body["@odata.nextLink"] = self.malformed_next_link(query, options.skip + len(rows))
        self.log_alert_request(endpoint, query, 200, len(rows))
        self.send_json(HTTPStatus.OK, body)

    def malformed_next_link(self, query: str, skip: int) -> str:
        """Return a link whose query parameters lack their names, in the shape seen from the real API."""
        values = [value for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True) if key != "$skip"]
        values.append(str(skip))
        return f"{self.base_url}/api/alerts?" + "&".join(urllib.parse.quote(value, safe=":") for value in values)

    def next_link(self, query: str, skip: int) -> str:
        pairs = [(key, value) for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True)
                 if key != "$skip"]
        pairs.append(("$skip", str(skip)))
        return f"{self.base_url}/api/alerts?" + urllib.parse.urlencode(pairs, safe="$:", quote_via=urllib.parse.quote)
