"""Two people reading one case do not wait for each other (the read's journal entry
share-locks the case row), while a write to the case still waits for a read in flight
and the read's entry is journaled all the same."""

from __future__ import annotations

import threading

from adapters.repositories import cases, journal
from services.runtime import Runtime
from services.views import case_view
from tests.factories import open_case


def _in_thread(call: object) -> threading.Thread:
    assert callable(call)
    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    return thread


def test_a_read_does_not_wait_for_another_read_of_the_same_case(rt: Runtime) -> None:
    opened = open_case(rt)
    with rt.uow() as session:
        cases.share_case(session, opened.case_id)  # another read, still in flight
        reader = _in_thread(lambda: case_view(rt, opened.case_number, viewer="bo"))
        reader.join(timeout=10)
        assert not reader.is_alive(), "the second read waited for the first"
        writer_done = threading.Event()

        def write() -> None:
            with rt.uow() as other:
                cases.lock_case(other, opened.case_id)
            writer_done.set()

        writer = _in_thread(write)
        assert not writer_done.wait(timeout=1), "a write did not wait for the read"
    writer.join(timeout=20)
    assert writer_done.is_set()
    with rt.uow() as session:
        assert [e.actor for e in journal.entries(session, opened.case_id)
                if e.kind == "read"] == ["bo"]
