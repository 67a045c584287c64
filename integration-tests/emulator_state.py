"""Mutable state of the Defender API emulator: settings, issued tokens, faults, stats, alerts."""

from __future__ import annotations

import bisect
import math
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import defender_alerts
from defender_alerts import Alert

MAX_TOP = 10_000
# Rows of one $filter that the emulator returns, modelling the API's 10,000-row limit by leaving
# later rows out without an error (the worst case for a client).
DEFAULT_ROW_LIMIT = 10_000
REQUEST_LOG_SIZE = 10_000


@dataclass
class EmulatorConfig:
    """Settings that the command line sets and the control API can change."""

    tenant_id: str = "00000000-0000-0000-0000-00000000c0de"
    client_id: str = "11111111-1111-1111-1111-111111111111"
    client_secret: str = "emulator-secret-value"
    token_lifetime: int = 3599
    expired_secret: bool = False
    roles: list[str] = field(default_factory=lambda: ["Alert.Read.All"])
    rate_limit_per_minute: int = 100
    rate_limit_per_hour: int = 1500
    page_size: int = MAX_TOP
    # Rows of one $filter that can be returned at all; 0 returns every row.
    row_limit: int = DEFAULT_ROW_LIMIT
    # A $top above this gets a 500 response, standing in for the 5xx of a large, slow
    # $expand=evidence page; 0 turns it off.
    fail_top_above: int = 0
    # With $top set, add an @odata.nextLink whose query parameters lack their names.
    malformed_next_link: bool = False


@dataclass
class IssuedToken:
    client_id: str
    tenant_id: str
    roles: list[str]
    expires_at: float  # time.monotonic() seconds


@dataclass
class PagingChurn:
    """Alert updates made while a window is paged.

    Before each of the next `requests` pages requested with a $skip above 0, the first
    `alerts_per_request` alerts (by id) of the page's filter that sit before that $skip get a
    lastUpdateTime of now. So they leave the window, and every later row moves up.
    """

    requests: int
    alerts_per_request: int


@dataclass
class PendingUpdate:
    """An alert version that the API shows only from `visible_at` (time.monotonic() seconds) on."""

    visible_at: float
    alert: Alert


@dataclass
class Fault:
    status: int
    count: int
    retry_after: int | None
    delay_seconds: float


def new_stats() -> dict[str, Any]:
    return {
        "calls": {},
        "responses": {},
        "tokens_issued": 0,
        "token_errors": {},
        "responses_429": 0,
        "faults_sent": 0,
        "max_alert_calls_in_60s": 0,
        "alerts_returned": 0,
        "alerts_moved_during_paging": 0,
    }


class EmulatorState:
    """All mutable state of one emulator, guarded by one lock."""

    def __init__(self, config: EmulatorConfig, alerts: list[Alert], generator: defender_alerts.AlertGenerator):
        self.lock = threading.Lock()
        self.config = config
        self.generator = generator
        self.alerts: dict[str, Alert] = {}
        # Parsed date fields per alert id, so a $filter does not parse every timestamp on every call.
        self.alert_ticks: dict[str, dict[str, int | None]] = {}
        self.sorted_ids: list[str] | None = None
        self.tokens: dict[str, IssuedToken] = {}
        self.faults: deque[Fault] = deque()
        self.churn: PagingChurn | None = None
        self.pending_updates: list[PendingUpdate] = []
        self.stats = new_stats()
        self.request_log: deque[dict[str, Any]] = deque(maxlen=REQUEST_LOG_SIZE)
        # Monotonic times of accepted /api/alerts calls per (client id, tenant), last hour only.
        self.rate_windows: dict[tuple[str, str], list[float]] = {}
        # Monotonic times of all /api/alerts requests in the last 60 s, for the stats maximum.
        self.recent_alert_calls: deque[float] = deque()
        for alert in alerts:
            self.put_alert(alert)

    def put_alert(self, alert: Alert) -> None:
        self.alerts[alert["id"]] = alert
        self.alert_ticks[alert["id"]] = defender_alerts.filterable_ticks(alert)
        self.sorted_ids = None

    def alerts_by_id(self) -> list[Alert]:
        return [self.alerts[alert_id] for alert_id in self.ids_in_order()]

    def matching_alerts(self, conditions: list[defender_alerts.Condition]) -> list[Alert]:
        """Return the alerts that satisfy every condition, ordered by id."""
        return [self.alerts[alert_id] for alert_id in self.ids_in_order()
                if defender_alerts.ticks_match(self.alert_ticks[alert_id], conditions)]

    def apply_visible_updates(self, now: float) -> None:
        """Store every pending update that is visible at `now`."""
        due = [update for update in self.pending_updates if update.visible_at <= now]
        self.pending_updates = [update for update in self.pending_updates if update.visible_at > now]
        for update in due:
            self.put_alert(update.alert)

    def churn_before_page(self, conditions: list[defender_alerts.Condition], skip: int) -> list[str]:
        """Move alerts before `skip` out of the filter's window as the pending churn sets; return their ids."""
        churn = self.churn
        if churn is None or skip <= 0:
            return []
        matching = self.matching_alerts(conditions)[:skip]
        moved = [alert["id"] for alert in matching[:churn.alerts_per_request]]
        if moved:
            self.update_last_update_time(moved, None)
        churn.requests -= 1
        if churn.requests <= 0:
            self.churn = None
        self.stats["alerts_moved_during_paging"] += len(moved)
        return moved

    def update_last_update_time(self, ids: list[str], requested_time: str | None,
                                changes: dict[str, Any] | None = None) -> str:
        """Give the listed alerts one shared lastUpdateTime and return it.

        Without `requested_time` it is now on the 1/300 s grid, later than every listed alert's
        previous value.
        """
        new_time = requested_time
        if new_time is None:
            stamp_ticks = defender_alerts.snap_to_update_grid(defender_alerts.now_ticks())
            for alert_id in ids:
                previous = defender_alerts.last_update_ticks(self.alerts[alert_id])
                if previous is not None and previous >= stamp_ticks:
                    stamp_ticks = defender_alerts.grid_step_after(previous)
            new_time = defender_alerts.format_ticks(stamp_ticks)
        for alert_id in ids:
            self.put_alert({**self.alerts[alert_id], **(changes or {}), "lastUpdateTime": new_time})
        return new_time

    def ids_in_order(self) -> list[str]:
        if self.sorted_ids is None:
            self.sorted_ids = sorted(self.alerts)
        return self.sorted_ids

    def count_call(self, endpoint: str) -> None:
        calls = self.stats["calls"]
        calls[endpoint] = calls.get(endpoint, 0) + 1

    def count_response(self, endpoint: str, status: int) -> None:
        by_status = self.stats["responses"].setdefault(endpoint, {})
        by_status[str(status)] = by_status.get(str(status), 0) + 1
        if status == 429:
            self.stats["responses_429"] += 1

    def record_alert_call_time(self, now: float) -> None:
        window = self.recent_alert_calls
        window.append(now)
        while window and window[0] <= now - 60.0:
            window.popleft()
        self.stats["max_alert_calls_in_60s"] = max(self.stats["max_alert_calls_in_60s"], len(window))

    def take_fault(self) -> Fault | None:
        """Return the next queued fault and use up one of its responses; None when none is queued."""
        with self.lock:
            fault = self.faults[0] if self.faults else None
            if fault is not None:
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.popleft()
                self.stats["faults_sent"] += 1
            return fault

    def take_rate_limit_slot(self, key: tuple[str, str], now: float) -> int | None:
        """Record a call for `key` and return None, or return the Retry-After seconds when over a limit."""
        times = self.rate_windows.setdefault(key, [])
        del times[: bisect.bisect_right(times, now - 3600.0)]
        minute_start = bisect.bisect_right(times, now - 60.0)
        calls_last_minute = len(times) - minute_start
        if calls_last_minute >= self.config.rate_limit_per_minute:
            return max(1, math.ceil(times[minute_start] + 60.0 - now))
        if len(times) >= self.config.rate_limit_per_hour:
            return max(1, math.ceil(times[0] + 3600.0 - now))
        times.append(now)
        return None
