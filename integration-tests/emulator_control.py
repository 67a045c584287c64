"""The /_emulator/ control API that tests use to inspect and steer the Defender API emulator."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from http import HTTPStatus
from typing import Any

import defender_alerts
from emulator_http import EmulatorRequestHandler
from emulator_state import MAX_TOP, EmulatorState, Fault, PagingChurn, PendingUpdate, new_stats

MAX_FAULT_DELAY_SECONDS = 30.0
FAULT_STATUSES = (403, 429, 500, 502, 503, 504)


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def require_int(request: dict[str, Any], key: str, minimum: int, maximum: int | None = None) -> int:
    value = request[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum or (maximum is not None and value > maximum):
        bounds = f"{minimum} to {maximum}" if maximum is not None else f"at least {minimum}"
        raise ControlError(400, f"{key} must be an integer {bounds}, not {value!r}")
    return value


def control_get_stats(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    with state.lock:
        return 200, json.loads(json.dumps(state.stats))


def control_reset_stats(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    with state.lock:
        state.stats = new_stats()
        state.request_log.clear()
        state.recent_alert_calls.clear()
        return 200, state.stats


def control_get_requests(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    with state.lock:
        return 200, {"requests": list(state.request_log)}


def control_get_config(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    with state.lock:
        config = asdict(state.config)
    config.pop("client_secret")
    return 200, config


def control_set_config(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    changes: dict[str, Any] = {}
    for key, value in request.items():
        if key == "token_lifetime":
            changes[key] = require_int(request, key, 0)
        elif key in ("rate_limit_per_minute", "rate_limit_per_hour"):
            changes[key] = require_int(request, key, 1)
        elif key == "page_size":
            changes[key] = require_int(request, key, 1, MAX_TOP)
        elif key in ("row_limit", "fail_top_above"):
            changes[key] = require_int(request, key, 0)
        elif key in ("expired_secret", "malformed_next_link"):
            if not isinstance(value, bool):
                raise ControlError(400, f"{key} must be true or false, not {value!r}")
            changes[key] = value
        elif key == "roles":
            if not isinstance(value, list) or not all(isinstance(role, str) for role in value):
                raise ControlError(400, f"roles must be a list of strings, not {value!r}")
            changes[key] = list(value)
        else:
            raise ControlError(400, f"unknown setting {key!r}")
    with state.lock:
        for key, value in changes.items():
            setattr(state.config, key, value)
    return control_get_config(state, {})


def control_add_fault(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    status = request.get("status")
    if status not in FAULT_STATUSES:
        raise ControlError(400, f"status must be one of {list(FAULT_STATUSES)}, not {status!r}")
    count = require_int(request, "count", 1) if "count" in request else 1
    retry_after = request.get("retry_after", 1 if status == 429 else None)
    if retry_after is not None:
        retry_after = require_int(request, "retry_after", 0)
    delay = request.get("delay_seconds", 0)
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not 0 <= delay <= MAX_FAULT_DELAY_SECONDS:
        raise ControlError(400, f"delay_seconds must be a number from 0 to {MAX_FAULT_DELAY_SECONDS}, not {delay!r}")
    with state.lock:
        state.faults.append(Fault(status=status, count=count, retry_after=retry_after, delay_seconds=float(delay)))
    return control_get_faults(state, {})


def control_get_faults(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    with state.lock:
        return 200, {"faults": [asdict(fault) for fault in state.faults]}


def control_clear_faults(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    with state.lock:
        state.faults.clear()
    return 200, {"faults": []}


def control_expire_tokens(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    now = time.monotonic()
    with state.lock:
        for token in state.tokens.values():
            token.expires_at = min(token.expires_at, now)
        return 200, {"expired": len(state.tokens)}


def control_get_alerts(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    with state.lock:
        return 200, {"value": state.alerts_by_id()}


def control_add_alerts(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    if "generate" in request:
        count = require_int(request, "generate", 0, 1_000_000)
        span_seconds = require_int(request, "span_seconds", 0) if "span_seconds" in request else 60
        newest_age = require_int(request, "newest_age_seconds", 0) if "newest_age_seconds" in request else 0
        end_ticks = defender_alerts.now_ticks() - newest_age * defender_alerts.TICKS_PER_SECOND
        shared_time = request.get("last_update_time")
        if shared_time is not None:
            shared_ticks = parse_time(shared_time, "last_update_time")
        with state.lock:
            if shared_time is None:
                alerts = state.generator.generate(count, end_ticks, span_seconds)
            else:
                alerts = state.generator.generate_shared(count, shared_ticks)
            for alert in alerts:
                state.put_alert(alert)
        return 200, {"ids": [alert["id"] for alert in alerts]}

    alerts = request.get("alerts")
    if not isinstance(alerts, list) or not all(isinstance(alert, dict) and isinstance(alert.get("id"), str)
                                                for alert in alerts):
        raise ControlError(400, "send {\"alerts\": [alert, ...]} with a string id in every alert, or {\"generate\": N}")
    stamp = defender_alerts.format_ticks(defender_alerts.snap_to_update_grid(defender_alerts.now_ticks()))
    with state.lock:
        for alert in alerts:
            alert = dict(alert)
            alert.setdefault("lastUpdateTime", stamp)
            state.put_alert(alert)
    return 200, {"ids": [alert["id"] for alert in alerts]}


def control_update_alerts(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    ids = request.get("ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(alert_id, str) for alert_id in ids):
        raise ControlError(400, "ids must be a non-empty list of alert ids")
    changes = request.get("set", {})
    if not isinstance(changes, dict):
        raise ControlError(400, "set must be an object of field names and values")
    requested_time = request.get("lastUpdateTime")
    if requested_time is not None:
        parse_time(requested_time, "lastUpdateTime")
    delay = request.get("visible_after_seconds", 0)
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0:
        raise ControlError(400, f"visible_after_seconds must be a number of 0 or more, not {delay!r}")
    if delay > 0 and requested_time is None:
        raise ControlError(400, "visible_after_seconds needs an explicit lastUpdateTime in the past")

    with state.lock:
        missing = [alert_id for alert_id in ids if alert_id not in state.alerts]
        if missing:
            raise ControlError(404, f"alerts not found: {missing}")
        if delay > 0:
            visible_at = time.monotonic() + delay
            for alert_id in ids:
                alert = {**state.alerts[alert_id], **changes, "lastUpdateTime": requested_time}
                state.pending_updates.append(PendingUpdate(visible_at=visible_at, alert=alert))
            return 200, {"ids": ids, "lastUpdateTime": requested_time, "visible_after_seconds": delay}
        new_time = state.update_last_update_time(ids, requested_time, changes)
    return 200, {"ids": ids, "lastUpdateTime": new_time}


def parse_time(value: Any, key: str) -> int:
    try:
        return defender_alerts.parse_ticks(value)
    except (TypeError, ValueError) as error:
        raise ControlError(400, f"{key} is invalid: {error}") from None


def control_get_churn(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    with state.lock:
        return 200, {"churn": asdict(state.churn) if state.churn is not None else None}


def control_set_churn(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    requests = require_int(request, "requests", 1)
    per_request = require_int(request, "alerts_per_request", 1)
    with state.lock:
        state.churn = PagingChurn(requests=requests, alerts_per_request=per_request)
    return control_get_churn(state, {})


def control_clear_churn(state: EmulatorState, request: dict[str, Any]) -> tuple[int, Any]:
    with state.lock:
        state.churn = None
    return 200, {"churn": None}


CONTROL_ROUTES = {
    ("GET", "stats"): control_get_stats,
    ("POST", "stats/reset"): control_reset_stats,
    ("GET", "requests"): control_get_requests,
    ("GET", "config"): control_get_config,
    ("POST", "config"): control_set_config,
    ("GET", "faults"): control_get_faults,
    ("POST", "faults"): control_add_fault,
    ("DELETE", "faults"): control_clear_faults,
    ("POST", "tokens/expire"): control_expire_tokens,
    ("GET", "alerts"): control_get_alerts,
    ("POST", "alerts"): control_add_alerts,
    ("POST", "alerts/update"): control_update_alerts,
    ("GET", "churn"): control_get_churn,
    ("POST", "churn"): control_set_churn,
    ("DELETE", "churn"): control_clear_churn,
}



class ControlEndpoint(EmulatorRequestHandler):
    """Handler of every /_emulator/ route, which parses the JSON body and calls the matching CONTROL_ROUTES function."""

    def handle_control(self, method: str, path: list[str], body: bytes) -> None:
        try:
            request = json.loads(body) if body else {}
        except json.JSONDecodeError as error:
            self.send_json(HTTPStatus.BAD_REQUEST, {"error": f"invalid JSON body: {error}"})
            return
        if not isinstance(request, dict):
            self.send_json(HTTPStatus.BAD_REQUEST, {"error": "the JSON body must be an object"})
            return
        route = (method, "/".join(path))
        handler = CONTROL_ROUTES.get(route)
        if handler is None:
            self.send_json(HTTPStatus.NOT_FOUND, {"error": f"no control route {method} /_emulator/{'/'.join(path)}"})
            return
        try:
            status, response = handler(self.state, request)
        except ControlError as error:
            self.send_json(error.status, {"error": str(error)})
            return
        self.send_json(status, response)
