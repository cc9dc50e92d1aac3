"""The relapse event (`services.relapse_events`): `utvag.relapse.flagged` once per flag and
a notice to the responsible municipality's coordinators, delivered to a webhook on
loopback with the case number and flag id only; a crash or a failed delivery repeats
nothing that was done and loses nothing that was not."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from adapters.coordinators.client import WebhookCoordinatorNotifier
from adapters.coordinators.port import CoordinatorNotice
from adapters.errors import RetryableAgencyError
from services import relapse, relapse_events
from services.runtime import Runtime
from tests.fakes.agencies import FakeAgencies
from tests.fakes.registers import FakeRegisters
from tests.sweep_support import NAME, admitted_case, count, sweep_batch


class Receiver:
    """A webhook on loopback keeping each body with its Idempotency-Key; the key makes a
    repeat harmless, as a real receiver would."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.fail = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if outer.fail:
                    outer.fail -= 1
                    self.send_response(503)
                else:
                    key = self.headers.get("Idempotency-Key", "")
                    if key not in {k for k, _ in outer.received}:
                        outer.received.append((key, json.loads(body)))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/coordinators"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.server.shutdown()


class Emitted:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.crash_after = -1

    def __call__(self, **event: Any) -> None:
        self.events.append(event)
        if len(self.events) == self.crash_after:
            raise RuntimeError("worker died after emitting")


def test_each_flag_is_emitted_once_and_reaches_its_municipalitys_coordinators(
        rt: Runtime, agencies: FakeAgencies, receiver: Receiver) -> None:
    registers = FakeRegisters()
    one, two = admitted_case(rt, 401), admitted_case(rt, 402)
    registers.suspicions.add(one.person, "MR-1", date(2026, 7, 1))
    registers.criminal_records.add(two.person, "BR-1", date(2026, 7, 2))
    sweep_batch(rt, registers)
    relapse.notify_relapses(rt, agencies.social_services)
    emitted = Emitted()
    emitted.crash_after = 1
    receiver.fail = 1
    with httpx.Client(timeout=5.0) as client:
        notifier = WebhookCoordinatorNotifier(client, path=receiver.url)
        with pytest.raises(RuntimeError):  # a crash right after the first event
            relapse_events.announce_relapses(rt, emit=emitted, notifier=notifier)
        first = relapse_events.announce_relapses(rt, emit=emitted, notifier=notifier)
        again = relapse_events.announce_relapses(rt, emit=emitted, notifier=notifier)

    # The crashed event is emitted again with the same id (Prefect keeps one per id).
    ids = [e["event_id"] for e in emitted.events]
    assert len(set(ids)) == 2 and len(ids) == 3 and ids[0] == ids[1]
    assert first.failed == 1 and first.notified == 1  # the receiver's 503: left pending
    assert again == relapse_events.Announced(notified=1)
    assert relapse_events.announce_relapses(rt, emit=emitted,
                                            notifier=None) == relapse_events.Announced()
    assert {e["case_number"] for e in emitted.events} == {one.case_number, two.case_number}
    bodies = sorted((b for _, b in receiver.received), key=lambda b: b["case_number"])
    assert [b["case_number"] for b in bodies] == sorted([one.case_number, two.case_number])
    assert {b["organisation"] for b in bodies} == {"municipality:0180"}
    assert {b["event"] for b in bodies} == {"utvag.relapse.flagged"}
    assert sorted(k for k, _ in receiver.received) == sorted(
        f"relapse-event:{b['flag_id']}" for b in bodies)
    text = json.dumps([*bodies, *[{**e, "event_id": str(e["event_id"])}
                                  for e in emitted.events]])
    assert NAME not in text and one.person not in text and "MR-1" not in text
    assert count(rt, "SELECT count(*) FROM case_journal WHERE kind = 'note' "
                 "AND data ? 'notified'") == 2


def test_a_flag_waits_in_the_outbox_until_a_webhook_is_configured(
        rt: Runtime, agencies: FakeAgencies) -> None:
    registers = FakeRegisters()
    case = admitted_case(rt, 403)
    registers.suspicions.add(case.person, "MR-2", date(2026, 7, 1))
    sweep_batch(rt, registers)
    emitted = Emitted()
    assert relapse_events.announce_relapses(rt, emit=emitted, notifier=None) == \
        relapse_events.Announced(emitted=1)

    class Recording:
        def __init__(self) -> None:
            self.sent: list[tuple[str, CoordinatorNotice]] = []

        def notify(self, *, idempotency_key: str, notice: CoordinatorNotice) -> None:
            if not self.sent:
                self.sent.append(("refused", notice))
                raise RetryableAgencyError(agency="coordinators", reason="HTTP 503")
            self.sent.append((idempotency_key, notice))

    recording = Recording()
    assert relapse_events.announce_relapses(rt, emit=emitted, notifier=recording).failed == 1
    assert relapse_events.announce_relapses(rt, emit=emitted, notifier=recording).notified == 1
    assert len(emitted.events) == 1
    assert [n.case_number for _, n in recording.sent] == [case.case_number] * 2
    assert isinstance(emitted.events[0]["event_id"], uuid.UUID)
