"""The deployment registry is the single source of every deployment's settings."""

from __future__ import annotations

import ast
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from prefect import Flow
from prefect.flows import load_flow_from_entrypoint

from deployments.automations import ALERTS
from deployments.deploy import PROJECT_ROOT
from deployments.registry import DEFAULT_WORK_POOL, registry


def test_every_entrypoint_loads_the_flow_its_spec_names() -> None:
    for spec in registry():
        path, _, func = spec.entrypoint.partition(":")
        loaded: Flow[..., Any] = load_flow_from_entrypoint(f"{PROJECT_ROOT / path}:{func}")
        assert loaded.name == spec.flow.name, spec.name


def test_names_are_unique_and_all_run_on_the_one_work_pool() -> None:
    specs = registry()
    assert len({s.name for s in specs}) == len(specs)
    assert {s.work_pool for s in specs} == {DEFAULT_WORK_POOL}


def test_sweeps_are_scheduled_one_at_a_time_and_cases_are_not_limited() -> None:
    specs = {s.name: s for s in registry(collect_every=timedelta(seconds=5))}
    assert specs["collect-agency-answers"].interval == timedelta(seconds=5)
    for name in ("collect-agency-answers", "flag-overdue-waits", "recover-stalled-cases"):
        limit = specs[name].concurrency
        assert limit is not None and limit.limit == 1
    # A suspended case must never hold a slot a new case needs.
    assert specs["new-case"].concurrency is None and specs["new-case"].interval is None


def test_the_new_case_form_asks_for_a_case_id_only() -> None:
    schema = {s.name: s for s in registry()}["new-case"].parameter_schema
    assert schema["required"] == ["case_id"]
    assert schema["properties"]["case_id"]["format"] == "uuid"
    assert set(schema["properties"]) == {"case_id"}


def test_no_tag_tells_a_destination_an_agency_or_a_category() -> None:
    """Runs inherit their deployment's tags, and tags are on every run in the UI: a case's
    run gets `phase:<phase>` when it starts (flows.resume), nothing else."""
    specs = {s.name: s for s in registry()}
    assert specs["new-case"].tags == ()
    every = {tag for spec in specs.values() for tag in spec.tags}
    assert every == {"agency-answers", "waits", "recovery", "after", "registers", "grants",
                     "reports", "retention"}
    for tag in every:
        assert ":" not in tag, tag


def _emitted_payload_keys(module: Path, event: str) -> set[str]:
    """The payload keys a flow module emits with `event` (read from its source)."""
    keys: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "emit_event"):
            continue
        named = {k.arg: k.value for k in node.keywords}
        payload = named.get("payload")
        if ast.literal_eval(named["event"]) == event and isinstance(payload, ast.Dict):
            keys |= {ast.literal_eval(k) for k in payload.keys if k is not None}
    return keys


def test_the_overdue_alert_asks_only_for_what_the_overdue_event_carries() -> None:
    """An alert that asks for a payload key the flow does not send renders a blank (as it
    did for `wait_kind` and `subject`, which the event no longer carries)."""
    [overdue] = [a for a in ALERTS if "utvag.wait.overdue" in a.expect]
    asked = set(re.findall(r"event\.payload\.(\w+)", overdue.subject + overdue.body))
    sent = _emitted_payload_keys(PROJECT_ROOT / "flows" / "overdue.py", "utvag.wait.overdue")
    assert asked and asked <= sent, (asked, sent)


def test_stall_threshold_reaches_the_recovery_sweep_as_its_default_parameter() -> None:
    spec = {s.name: s for s in registry(stall_after=timedelta(seconds=45))}[
        "recover-stalled-cases"]
    assert spec.parameters == {"quiet_for_seconds": 45}


def test_alerts_cover_overdue_waits_failed_or_crashed_runs_and_relapses() -> None:
    expected = set().union(*(a.expect for a in ALERTS))
    assert expected == {"utvag.wait.overdue", "prefect.flow-run.Crashed",
                        "prefect.flow-run.Failed", "utvag.relapse.flagged"}


def test_the_relapse_alert_matches_the_event_the_sweep_emits() -> None:
    from fnmatch import fnmatch

    from services.relapse_events import EVENT
    from tasks.relapse_events import relapse_event

    [alert] = [a for a in ALERTS if EVENT in a.expect]
    resource, payload = relapse_event(case_number="UTV-2026-000042", municipality="0180",
                                      flag_id=7)
    assert all(fnmatch(resource[k], v) for k, v in alert.match.items())
    asked = set(re.findall(r"event\.payload\.(\w+)", alert.subject + alert.body))
    assert asked <= set(payload)
    assert set(payload) == {"flag_id", "municipality"}
def test_culling_runs_daily_one_at_a_time() -> None:
    spec = {s.name: s for s in registry()}["cull-expired-cases"]
    assert (spec.cron, spec.concurrency_limit) == ("0 2 * * *", 1)
    assert spec.parameter_schema["properties"] == {}  # nothing to type, nothing personal
