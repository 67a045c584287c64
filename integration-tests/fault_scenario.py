"""Scenario rules of the fault proxy and the `_bulk` body handling they need.

The scenario format and the fault kinds are described in fault_proxy.py's module docstring.
"""

from __future__ import annotations

import gzip
import json
import random
import zlib
from dataclasses import dataclass
from typing import Any

MAX_BODY_BYTES = 64 * 1024 * 1024
MAX_RULES = 50
MAX_LISTED_REQUESTS = 10_000
MAX_DELAY_SECONDS = 30.0
FAULT_KINDS = ("status", "reset_before", "reset_after", "delay", "truncate", "drop_items", "item_status")
WHOLE_STATUSES = (400, 413, 429, 503)
ITEM_STATUSES = {429: "es_rejected_execution_exception", 503: "unavailable_shards_exception"}
WHOLE_ERRORS = {
    400: ("illegal_argument_exception", "request rejected by the fault proxy"),
    413: ("content_too_long_exception", "request body larger than the fault proxy's limit"),
    429: ("es_rejected_execution_exception", "rejected execution by the fault proxy"),
    503: ("cluster_block_exception", "blocked by the fault proxy: service unavailable"),
}


class ScenarioError(ValueError):
    """A scenario that cannot be applied; the message names the rule and the field."""


# --- scenario -----------------------------------------------------------------------------


@dataclass
class Rule:
    """One validated scenario rule and its running state (times applied, random generator)."""

    spec: dict[str, Any]
    random: random.Random | None = None
    applied: int = 0

    @property
    def fault(self) -> str:
        return self.spec["fault"]

    def selects(self, sequence: int, body_bytes: int) -> bool:
        """Return whether this rule applies to request `sequence`; draws its random number once per request."""
        spec = self.spec
        chosen = True
        if "requests" in spec:
            chosen = sequence in spec["requests"]
        elif "every" in spec:
            chosen = sequence % spec["every"] == 0
        elif self.random is not None:
            chosen = self.random.random() < spec["probability"]
        if "limit" in spec and self.applied >= spec["limit"]:
            return False
        if spec.get("over_bytes") is not None and body_bytes <= spec["over_bytes"]:
            return False
        return chosen


def require(condition: bool, index: int, message: str) -> None:
    if not condition:
        raise ScenarioError(f"rule {index}: {message}")


def positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def validate_selection(spec: dict[str, Any], index: int) -> None:
    selectors = [name for name in ("requests", "every", "probability") if name in spec]
    require(len(selectors) <= 1, index, f"use at most one of requests, every and probability, not {selectors}")
    if "requests" in spec:
        requests = spec["requests"]
        require(isinstance(requests, list) and len(requests) <= MAX_LISTED_REQUESTS
                and all(positive_int(number) for number in requests), index,
                f"requests must be a list of at most {MAX_LISTED_REQUESTS} sequence numbers from 1")
        spec["requests"] = set(requests)
    if "every" in spec:
        require(positive_int(spec["every"]), index, "every must be an integer from 1")
    if "probability" in spec:
        probability = spec["probability"]
        require(isinstance(probability, (int, float)) and 0 <= probability <= 1, index,
                "probability must be from 0 to 1")
        require(isinstance(spec.get("seed", 0), int), index, "seed must be an integer")
    if "limit" in spec:
        require(positive_int(spec["limit"]), index, "limit must be an integer from 1")


def validate_fault(spec: dict[str, Any], index: int) -> None:
    fault = spec.get("fault")
    require(fault in FAULT_KINDS, index, f"fault must be one of {', '.join(FAULT_KINDS)}, not {fault!r}")
    if fault == "status":
        require(spec.get("status") in WHOLE_STATUSES, index, f"status must be one of {WHOLE_STATUSES}")
        if spec["status"] == 413:
            require(isinstance(spec.get("over_bytes"), int) and spec["over_bytes"] >= 0, index,
                    "a 413 needs over_bytes, the uncompressed body size above which it applies")
        retry_after = spec.get("retry_after")
        require(retry_after is None or (isinstance(retry_after, int) and retry_after >= 0), index,
                "retry_after must be whole seconds")
    elif fault == "delay":
        seconds = spec.get("seconds")
        require(isinstance(seconds, (int, float)) and 0 <= seconds <= MAX_DELAY_SECONDS, index,
                f"seconds must be from 0 to {MAX_DELAY_SECONDS}")
        require(spec.get("where", "before") in ("before", "after"), index, "where must be before or after")
    elif fault == "truncate":
        require(isinstance(spec.get("keep_bytes"), int) and spec["keep_bytes"] >= 0, index,
                "keep_bytes must be an integer from 0")
        require(spec.get("framing", "length") in ("length", "close"), index, "framing must be length or close")
    elif fault == "drop_items":
        require(positive_int(spec.get("count", 1)), index, "count must be an integer from 1")
    elif fault == "item_status":
        require(spec.get("status") in ITEM_STATUSES, index, f"status must be one of {tuple(ITEM_STATUSES)}")
        items = spec.get("items", "all")
        valid = (items == "all"
                 or (isinstance(items, list) and all(isinstance(p, int) and p >= 0 for p in items))
                 or (isinstance(items, dict) and len(items) == 1
                     and any(positive_int(items.get(name)) for name in ("every", "first"))))
        require(valid, index, 'items must be "all", a list of positions, {"every": N} or {"first": K}')


def parse_scenario(document: Any) -> list[Rule]:
    """Validate a scenario document and return its rules, or raise ScenarioError."""
    if not isinstance(document, dict):
        raise ScenarioError("a scenario is a JSON object with a rules list")
    rules = document.get("rules", [])
    if not isinstance(rules, list) or len(rules) > MAX_RULES:
        raise ScenarioError(f"rules must be a list of at most {MAX_RULES} rules")
    parsed = []
    for index, raw in enumerate(rules):
        require(isinstance(raw, dict), index, "a rule is a JSON object")
        spec = dict(raw)
        validate_fault(spec, index)
        validate_selection(spec, index)
        generator = random.Random(spec.get("seed", 0)) if "probability" in spec else None
        parsed.append(Rule(spec, generator))
    return parsed


def chosen_positions(selector: Any, count: int) -> list[int]:
    """Return the item positions (from 0) that an item_status rule's `items` selects among `count`."""
    if selector == "all":
        return list(range(count))
    if isinstance(selector, list):
        return sorted({position for position in selector if position < count})
    if "every" in selector:
        return list(range(selector["every"] - 1, count, selector["every"]))
    return list(range(min(selector["first"], count)))


# --- bodies -------------------------------------------------------------------------------


def decode(body: bytes, encoding: str | None) -> bytes:
    """Decode a gzip or deflate body; raise ValueError when the output exceeds MAX_BODY_BYTES."""
    encoding = (encoding or "").lower()
    if encoding not in ("gzip", "deflate"):
        return body
    window = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
    decompressor = zlib.decompressobj(window)
    data = decompressor.decompress(body, MAX_BODY_BYTES)
    if decompressor.unconsumed_tail:
        raise ValueError(f"the decoded body is larger than {MAX_BODY_BYTES} bytes")
    return data


def encode(body: bytes, encoding: str | None) -> bytes:
    encoding = (encoding or "").lower()
    if encoding == "gzip":
        return gzip.compress(body, compresslevel=1)
    if encoding == "deflate":
        return zlib.compress(body, 1)
    return body


def bulk_action_ids(ndjson: bytes) -> list[str | None]:
    """Return the `_id` of each action line of a `_bulk` body (None when absent or unreadable)."""
    ids: list[str | None] = []
    expect_source = False
    for line in ndjson.split(b"\n"):
        if not line.strip():
            continue
        if expect_source:
            expect_source = False
            continue
        try:
            action = json.loads(line)
            (name, metadata), = action.items()
        except (ValueError, AttributeError):
            ids.append(None)
            continue
        ids.append(metadata.get("_id") if isinstance(metadata, dict) else None)
        expect_source = name != "delete"
    return ids


def rewrite_items(body: bytes, spec: dict[str, Any]) -> tuple[bytes, int]:
    """Apply drop_items or item_status to a `_bulk` response body; return it and the items changed."""
    response = json.loads(body)
    items = response.get("items", [])
    if spec["fault"] == "drop_items":
        dropped = min(spec.get("count", 1), len(items))
        response["items"] = items[:len(items) - dropped]
        return json.dumps(response).encode("utf-8"), dropped
    status = spec["status"]
    positions = chosen_positions(spec.get("items", "all"), len(items))
    for position in positions:
        ((action, result),) = items[position].items()
        error = {"type": ITEM_STATUSES[status], "reason": f"rewritten to {status} by the fault proxy"}
        items[position] = {action: {"_id": result.get("_id"), "status": status, "error": error}}
    if positions:
        response["errors"] = True
    return json.dumps(response).encode("utf-8"), len(positions)
