"""Replay every Defender sample into osmem-server and check what the cluster stored.

One module-wide run installs the generated template with `mde-shipper template install` and
replays each sample file of `Fixtures/defender/` that contains alerts into one index. It also
replays each file without a cluster (a dry run) to learn the `_id` and `_source` of every
document. The tests then check the run summaries, the stored documents, and the index mapping
against the installed `@package` component template. The shipper is the debug build from
`swift build`.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest

import harness
from harness import Cluster

SAMPLES_DIR = harness.REPO_ROOT / "Fixtures" / "defender"
SAMPLES_WITHOUT_ALERTS = {"graph-alerts-v2-list.json", "error-bodies.json"}
SAMPLE_FILES = sorted(path.name for path in SAMPLES_DIR.glob("*.json") if path.name not in SAMPLES_WITHOUT_ALERTS)
INDEX = "mde-samples"
PACKAGE_TEMPLATE = f"mde-shipper-{INDEX}@package"
# Fields under this prefix may be missing from the template, because its dynamic templates map them.
DYNAMIC_PREFIX = "microsoft.defender_endpoint."
RUN_TIMEOUT_SECONDS = 120.0


# --- running the shipper ------------------------------------------------------------------


@dataclass
class ShipperRun:
    """One finished `mde-shipper` process."""

    command: list[str]
    returncode: int
    stdout: str
    stderr: str

    def summary(self) -> dict[str, Any]:
        """Return the last `run finished` log line, or fail the test naming the command."""
        finished = []
        for line in self.stderr.splitlines():
            with contextlib.suppress(ValueError):
                value = json.loads(line)
                if isinstance(value, dict) and value.get("message") == "run finished":
                    finished.append(value)
        assert finished, f"no 'run finished' log line\n{self.describe()}"
        return finished[-1]

    def describe(self) -> str:
        stderr_tail = "\n".join(self.stderr.splitlines()[-30:])
        return f"command: {' '.join(self.command)}\nexit code: {self.returncode}\nstderr (tail):\n{stderr_tail}"


def run_shipper(binary: Path, arguments: list[str], state_dir: Path) -> ShipperRun:
    """Run the shipper with JSON logs and `state_dir`, without the caller's shipper, cluster and
    proxy environment variables."""
    state_dir.mkdir(parents=True, exist_ok=True)
    command = [str(binary), *arguments, "--log-format", "json", "--state-dir", str(state_dir)]
    environment = {
        name: value for name, value in os.environ.items()
        if not name.startswith(("MDE_", "ELASTICSEARCH_"))
        and name.lower() not in {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
    }
    environment["NO_PROXY"] = "127.0.0.1,localhost"
    completed = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                               env=environment, timeout=RUN_TIMEOUT_SECONDS, cwd=state_dir)
    return ShipperRun(command, completed.returncode, completed.stdout, completed.stderr)


def parse_bulk_ndjson(text: str) -> list[tuple[str, dict[str, Any]]]:
    """Return (`_id`, `_source`) pairs, in order, from `_bulk` NDJSON of action and source lines."""
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert len(lines) % 2 == 0, f"odd number of _bulk lines: {len(lines)}"
    documents = []
    for action_line, source in zip(lines[0::2], lines[1::2]):
        assert len(action_line) == 1, f"not an action line: {action_line}"
        (metadata,) = action_line.values()
        documents.append((metadata["_id"], source))
    return documents


# --- mappings and documents ---------------------------------------------------------------


def mapped_fields(properties: dict[str, Any], prefix: str = "") -> dict[str, dict[str, Any]]:
    """Return every field of a `properties` tree by dotted path, without its sub-properties.

    An object field without an explicit `type` gets `type: object`, as the cluster reports it.
    """
    fields: dict[str, dict[str, Any]] = {}
    for name, mapping in properties.items():
        path = prefix + name
        own = {key: value for key, value in mapping.items() if key != "properties"}
        if "properties" in mapping:
            own.setdefault("type", "object")
            fields.update(mapped_fields(mapping["properties"], path + "."))
        fields[path] = own
    return fields


def json_kind(value: Any) -> str:
    """Return the `match_mapping_type` name of a JSON value as the cluster detects it."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, dict):
        return "object"
    return "string"


def document_leaves(source: dict[str, Any], prefix: str = "") -> dict[str, set[str]]:
    """Return the JSON kinds found at each leaf path of a document. Array elements share the path."""
    leaves: dict[str, set[str]] = {}

    def visit(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                visit(child, f"{path}.{key}" if path else key)
        elif isinstance(value, list):
            for element in value:
                visit(element, path)
        elif value is not None:
            leaves.setdefault(path, set()).add(json_kind(value))

    visit(source, prefix)
    return leaves


def matching_dynamic_template(dynamic_templates: list[dict[str, Any]], path: str,
                              kinds: set[str]) -> tuple[str, dict[str, Any]] | None:
    """Return the name and body of the first dynamic template that applies to every kind seen at
    `path`, as the cluster picks it, or None."""
    for entry in dynamic_templates:
        ((name, body),) = entry.items()
        if "path_match" in body and not fnmatch.fnmatchcase(path, body["path_match"]):
            continue
        wanted_kind = body.get("match_mapping_type", "*")
        if wanted_kind == "*" or kinds == {wanted_kind}:
            return name, body
    return None


# --- the module-wide run ------------------------------------------------------------------


@dataclass
class ReplayedSamples:
    cluster: Cluster
    template_install: ShipperRun
    replays: dict[str, ShipperRun] = field(default_factory=dict)
    state_dirs: dict[str, Path] = field(default_factory=dict)
    # (`_id`, `_source`) of every document a dry run prints, per sample file.
    dry_run_documents: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)

    def all_dry_run_sources(self) -> dict[str, dict[str, Any]]:
        return {document_id: source for documents in self.dry_run_documents.values()
                for document_id, source in documents}


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReplayedSamples]:
    binary = harness.shipper_binary()
    work_dir = tmp_path_factory.mktemp("sample-mapping")
    with harness.running_osmem(log_dir=work_dir / "logs") as cluster:
        hosts = ["--hosts", cluster.url, "--index", INDEX]
        install = run_shipper(binary, ["template", "install", *hosts], work_dir / "template-install")
        result = ReplayedSamples(cluster=cluster, template_install=install)
        for sample in SAMPLE_FILES:
            path = str(SAMPLES_DIR / sample)
            dry_run = run_shipper(binary, ["replay", path, "--index", INDEX], work_dir / "dry-run" / sample)
            assert dry_run.returncode == 0, f"dry run of {sample} failed\n{dry_run.describe()}"
            result.dry_run_documents[sample] = parse_bulk_ndjson(dry_run.stdout)
            state_dir = work_dir / "replay" / sample
            result.state_dirs[sample] = state_dir
            result.replays[sample] = run_shipper(binary, ["replay", path, *hosts], state_dir)
        cluster.refresh(INDEX)
        yield result


@pytest.fixture(scope="module")
def package_template(replayed: ReplayedSamples) -> dict[str, Any]:
    """Return the mappings of the installed `@package` component template."""
    response = replayed.cluster.request("GET", f"_component_template/{PACKAGE_TEMPLATE}")
    templates = harness.expect_json(response, f"GET _component_template/{PACKAGE_TEMPLATE}")["component_templates"]
    (template,) = [entry["component_template"] for entry in templates if entry["name"] == PACKAGE_TEMPLATE]
    return template["template"]["mappings"]


@pytest.fixture(scope="module")
def index_mappings(replayed: ReplayedSamples) -> dict[str, Any]:
    return replayed.cluster.mapping(INDEX)[INDEX]["mappings"]


# --- tests --------------------------------------------------------------------------------


def test_sample_list_is_complete() -> None:
    assert "quirks.json" in SAMPLE_FILES
    assert len(SAMPLE_FILES) == len(list(SAMPLES_DIR.glob("*.json"))) - len(SAMPLES_WITHOUT_ALERTS)


def test_template_install_succeeds(replayed: ReplayedSamples) -> None:
    install = replayed.template_install
    assert install.returncode == 0, install.describe()
    assert f'component template "{PACKAGE_TEMPLATE}"' in install.stdout, install.describe()


@pytest.mark.parametrize("sample", SAMPLE_FILES)
def test_sample_replays_without_errors(replayed: ReplayedSamples, sample: str) -> None:
    run = replayed.replays[sample]
    assert run.returncode == 0, run.describe()
    summary = run.summary()
    produced = len(replayed.dry_run_documents[sample])
    assert produced > 0, f"the dry run of {sample} printed no document"
    assert summary["pipeline_errors"] == 0, summary
    assert summary["dead_lettered"] == 0, summary
    assert summary["documents_produced"] == produced, summary
    assert summary["acknowledged"] == produced, summary
    dead_letters = list(replayed.state_dirs[sample].glob("dead-letter*"))
    assert all(path.stat().st_size == 0 for path in dead_letters), f"dead letters written: {dead_letters}"


def test_index_count_is_produced_minus_duplicates(replayed: ReplayedSamples) -> None:
    summaries = [run.summary() for run in replayed.replays.values()]
    produced = sum(summary["documents_produced"] for summary in summaries)
    duplicates = sum(summary["duplicates"] for summary in summaries)
    distinct_ids = replayed.all_dry_run_sources().keys()

    assert replayed.cluster.count(INDEX) == produced - duplicates
    assert produced - duplicates == len(distinct_ids)


def test_index_stores_dry_run_documents(replayed: ReplayedSamples) -> None:
    expected = replayed.all_dry_run_sources()
    hits = replayed.cluster.search(INDEX, {"query": {"match_all": {}}, "size": 1000})["hits"]["hits"]
    stored = {hit["_id"]: hit["_source"] for hit in hits}

    assert sorted(stored) == sorted(expected)
    for document_id, source in expected.items():
        assert stored.get(document_id) == source, f"document {document_id} differs from the dry run"


def test_index_mapping_types_match_template(package_template: dict[str, Any], index_mappings: dict[str, Any],
                                            replayed: ReplayedSamples) -> None:
    template_fields = mapped_fields(package_template["properties"])
    index_fields = mapped_fields(index_mappings["properties"])
    common = sorted(set(template_fields) & set(index_fields))

    mismatches = {path: (template_fields[path].get("type"), index_fields[path].get("type"))
                  for path in common if template_fields[path].get("type") != index_fields[path].get("type")}
    assert mismatches == {}, "fields whose (template type, index type) differ"

    # Every field that a document contains and the template defines must have been checked above.
    document_paths = set()
    for source in replayed.all_dry_run_sources().values():
        document_paths.update(document_leaves(source))
    unchecked = sorted(path for path in document_paths & set(template_fields) if path not in common)
    assert unchecked == [], "template fields that documents hold but the index mapping lacks"


def fields_outside_template(template: dict[str, Any], index_mappings: dict[str, Any],
                            sources: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Return the index fields that the template does not define, and the problems among them.

    A problem is such a field outside `microsoft.defender_endpoint.*`, or one there whose mapping
    does not carry the parameters of the dynamic template that applies to its values.
    """
    template_fields = mapped_fields(template["properties"])
    index_fields = mapped_fields(index_mappings["properties"])
    extra = sorted(set(index_fields) - set(template_fields))
    problems = [f"{path} is not in the template" for path in extra if not path.startswith(DYNAMIC_PREFIX)]

    kinds_by_path: dict[str, set[str]] = {}
    for source in sources:
        for path, kinds in document_leaves(source).items():
            kinds_by_path.setdefault(path, set()).update(kinds)
    for path in extra:
        if not path.startswith(DYNAMIC_PREFIX) or index_fields[path].get("type") == "object":
            continue
        kinds = kinds_by_path.get(path, set())
        match = matching_dynamic_template(template.get("dynamic_templates", []), path, kinds)
        if match is None:
            problems.append(f"no dynamic template covers {path} (values: {sorted(kinds)}), "
                            f"so the cluster mapped it as {index_fields[path]}")
            continue
        name, body = match
        for key, value in body["mapping"].items():
            if index_fields[path].get(key) != value:
                problems.append(f"{path}: {key} is {index_fields[path].get(key)!r}, "
                                f"dynamic template {name} sets {value!r}")
    return extra, problems


def test_index_fields_outside_template_are_dynamic(package_template: dict[str, Any],
                                                   index_mappings: dict[str, Any],
                                                   replayed: ReplayedSamples) -> None:
    sources = list(replayed.all_dry_run_sources().values())
    _, problems = fields_outside_template(package_template, index_mappings, sources)

    assert problems == []


def test_new_api_keys_map_through_dynamic_template(replayed: ReplayedSamples, tmp_path: Path) -> None:
    # A sample alert with string keys that the field table does not know, at alert and evidence
    # level and inside a new object, as a later API version could add them.
    (alert,) = [alert for alert in json.loads((SAMPLES_DIR / "quirks.json").read_text(encoding="utf-8"))["value"]
                if alert["id"] == "da638181185158896141_-667602127"]
    alert["someNewKey"] = "new value"
    alert["someNewObject"] = {"inner": "nested value"}
    for item in alert["evidence"]:
        item["someNewEvidenceKey"] = "evidence value"
    saved = tmp_path / "new-keys.json"
    saved.write_text(json.dumps({"value": [alert]}), encoding="utf-8")
    index = INDEX + "-new-keys"
    binary = harness.shipper_binary()

    dry_run = run_shipper(binary, ["replay", str(saved), "--index", index], tmp_path / "dry-run")
    run = run_shipper(binary, ["replay", str(saved), "--hosts", replayed.cluster.url, "--index", index],
                      tmp_path / "replay")

    assert run.returncode == 0, run.describe()
    summary = run.summary()
    assert (summary["pipeline_errors"], summary["dead_lettered"]) == (0, 0), summary
    template_name = f"mde-shipper-{index}@package"
    response = replayed.cluster.request("GET", f"_component_template/{template_name}")
    (template,) = harness.expect_json(response, f"GET _component_template/{template_name}")["component_templates"]
    mappings = replayed.cluster.mapping(index)[index]["mappings"]
    sources = [source for _, source in parse_bulk_ndjson(dry_run.stdout)]
    extra, problems = fields_outside_template(template["component_template"]["template"]["mappings"], mappings, sources)

    assert problems == []
    assert {
        "microsoft.defender_endpoint.someNewKey",
        "microsoft.defender_endpoint.someNewObject.inner",
        "microsoft.defender_endpoint.evidence.someNewEvidenceKey",
    } <= set(extra)


def test_new_numeric_key_then_string_is_stored(replayed: ReplayedSamples, tmp_path: Path) -> None:
    (alert,) = [alert for alert in json.loads((SAMPLES_DIR / "quirks.json").read_text(encoding="utf-8"))["value"]
                if alert["id"] == "da637029414680409372_735564929"]
    first = dict(alert, someNewCount=3)
    later = dict(alert, id="da637029414680409372_735564930", someNewCount="three")
    saved = tmp_path / "new-numeric-key.ndjson"
    saved.write_text(json.dumps(first) + "\n" + json.dumps(later) + "\n", encoding="utf-8")
    index = INDEX + "-new-numeric-key"

    run = run_shipper(harness.shipper_binary(),
                      ["replay", str(saved), "--hosts", replayed.cluster.url, "--index", index], tmp_path)

    assert run.returncode == 0, run.describe()
    assert run.summary()["dead_lettered"] == 0


def test_installed_template_matches_print(package_template: dict[str, Any], replayed: ReplayedSamples,
                                          tmp_path: Path) -> None:
    binary = harness.shipper_binary()
    printed = run_shipper(binary, ["template", "print", "--hosts", replayed.cluster.url, "--index", INDEX], tmp_path)
    assert printed.returncode == 0, printed.describe()
    generated = json.loads(printed.stdout)["component_templates"][PACKAGE_TEMPLATE]

    assert generated["template"]["mappings"] == package_template
