#!/usr/bin/env python3
"""Ship alerts from the Defender emulator into a local osmem-server and show what landed.

`scripts/quickstart` runs this after `integration-tests/setup.sh` and `swift build`. It starts
both servers on free loopback ports, runs `mde-shipper run --once` against them, prints the
documents by severity and kind, the installed index template and one document, and stops
everything on exit, on error and on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import harness
from defender_emulator import DEFAULT_SAMPLES
from harness import Cluster, Emulator, HarnessError

RUN_TIMEOUT_SECONDS = 300.0
SEVERITY_LABELS = {21: "Informational or Low", 47: "Medium", 73: "High", 99: "Critical"}


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", default="mde-demo", help="index to write into (default mde-demo)")
    parser.add_argument("--generate", type=int, default=100,
                        help="generated alerts to serve besides the samples (default 100)")
    parser.add_argument("--shift-samples-hours", type=float, default=6.0,
                        help="spread the sample alerts over this many recent hours (default 6)")
    return parser.parse_args()


def heading(text: str) -> None:
    print(f"\n== {text}")


def shipper_environment(emulator: Emulator) -> dict[str, str]:
    """Return this process's environment with the emulator's credentials and no proxy."""
    environment = {
        name: value for name, value in os.environ.items()
        if not name.startswith(("MDE_", "ELASTICSEARCH_"))
        and name.lower() not in {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
    }
    environment.update({
        "NO_PROXY": "127.0.0.1,localhost",
        "MDE_TENANT_ID": emulator.tenant_id,
        "MDE_CLIENT_ID": emulator.client_id,
        "MDE_CLIENT_SECRET": emulator.client_secret,
    })
    return environment


def run_shipper(binary: Path, emulator: Emulator, cluster: Cluster, index: str, state_dir: Path) -> None:
    """Run one catch-up cycle, with its log lines going straight to this terminal's stderr."""
    command = [
        str(binary), "run", "--once",
        "--api-url", emulator.url, "--login-url", emulator.url,
        "--hosts", cluster.url, "--index", index,
        "--state-dir", str(state_dir), "--log-format", "text",
    ]
    heading("running mde-shipper")
    print(" ".join(command).replace(str(harness.REPO_ROOT) + "/", ""), flush=True)
    completed = subprocess.run(command, env=shipper_environment(emulator), stdin=subprocess.DEVNULL,
                               timeout=RUN_TIMEOUT_SECONDS, check=False)
    if completed.returncode != 0:
        raise HarnessError(f"mde-shipper exited with code {completed.returncode}: see its log above")


def terms_counts(cluster: Cluster, index: str, field: str) -> list[tuple[Any, int]]:
    """Return (value, document count) pairs of `field`, with None counting documents without it."""
    body = {"size": 0, "aggs": {"values": {"terms": {"field": field, "size": 50}}}}
    buckets = cluster.search(index, body)["aggregations"]["values"]["buckets"]
    counts = [(bucket["key"], bucket["doc_count"]) for bucket in buckets]
    without_field = cluster.count(index) - sum(count for _, count in counts)
    if without_field > 0:
        counts.append((None, without_field))
    return counts


def count_leaf_fields(properties: dict[str, Any]) -> int:
    """Count the leaf fields in a `properties` tree (object fields are not counted)."""
    total = 0
    for node in properties.values():
        if "properties" in node:
            total += count_leaf_fields(node["properties"])
        else:
            total += 1
    return total


def print_counts(cluster: Cluster, index: str) -> None:
    cluster.refresh(index)
    heading(f"documents in {index}: {cluster.count(index)}")
    print("by event.severity:")
    for value, count in terms_counts(cluster, index, "event.severity"):
        if value is None:
            print(f"  {'unset':>8}  {'UnSpecified or unknown':<22} {count:>6}")
        else:
            print(f"  {value:>8}  {SEVERITY_LABELS.get(value, ''):<22} {count:>6}")
    print("by event.kind:")
    for value, count in terms_counts(cluster, index, "event.kind"):
        print(f"  {value or 'unset':<32} {count:>6}")


def print_template(cluster: Cluster, index: str) -> None:
    name = f"mde-shipper-{index}"
    template = cluster.index_template(name)
    heading(f"index template {name}")
    if template is None:
        print("  not installed")
        return
    print(f"  index patterns: {', '.join(template.get('index_patterns', []))}")
    print(f"  composed of:    {', '.join(template.get('composed_of', []))}")
    print("  _meta:", json.dumps(template.get("_meta", {}), indent=2).replace("\n", "\n  "))
    properties = cluster.mapping(index)[index]["mappings"].get("properties", {})
    print(f"  fields mapped in {index}: {count_leaf_fields(properties)}")


def print_one_document(cluster: Cluster, index: str) -> None:
    # Prefer a document with file evidence, because it shows more of the mapping.
    for query in ({"exists": {"field": "file.name"}}, {"match_all": {}}):
        hits = cluster.search(index, {"query": query, "size": 1})["hits"]["hits"]
        if hits:
            heading(f"one document (_id {hits[0]['_id']})")
            print(json.dumps(hits[0]["_source"], indent=2, ensure_ascii=False))
            return
    heading("no document to show")


def main() -> int:
    arguments = parse_arguments()
    binary = harness.shipper_binary()
    with tempfile.TemporaryDirectory(prefix="mde-quickstart-") as temporary:
        work_dir = Path(temporary)
        emulator_arguments = ["--quiet", "--generate", str(arguments.generate)]
        if DEFAULT_SAMPLES.is_dir():
            emulator_arguments += ["--shift-samples-hours", str(arguments.shift_samples_hours)]
        else:
            print(f"quickstart: no sample alerts at {DEFAULT_SAMPLES}; serving generated alerts only")
            emulator_arguments.append("--no-samples")
        with harness.running_osmem(log_dir=work_dir / "logs") as cluster, \
                harness.running_emulator(*emulator_arguments, log_dir=work_dir / "logs") as emulator:
            heading("servers on loopback")
            print(f"  osmem-server (OpenSearch-compatible): {cluster.url}")
            print(f"  Defender API emulator:                {emulator.url} "
                  f"({len(emulator.alerts())} alerts from the last 24 hours)")
            run_shipper(binary, emulator, cluster, arguments.index, work_dir / "state")
            print_counts(cluster, arguments.index)
            print_template(cluster, arguments.index)
            print_one_document(cluster, arguments.index)
        heading("stopped both servers")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\nquickstart: interrupted, and the servers were stopped", file=sys.stderr)
        sys.exit(130)
    except (HarnessError, subprocess.SubprocessError, OSError) as error:
        print(f"\nquickstart: failed: {error}", file=sys.stderr)
        sys.exit(1)
