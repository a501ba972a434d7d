from __future__ import annotations

import threading

import pytest

from oci_inventory.util.concurrency import BoundedExecutor, Stopped


def test_at_most_max_pending_tasks_are_admitted_and_errors_are_reported() -> None:
    errors: list[BaseException] = []
    gate = threading.Event()
    pool = BoundedExecutor(1, max_pending=2, on_error=errors.append)
    pool.submit(gate.wait)
    pool.submit(gate.wait)
    admitted = threading.Event()

    def fail() -> None:
        raise ValueError("boom")

    def third() -> None:
        pool.submit(fail)
        admitted.set()

    producer = threading.Thread(target=third)
    producer.start()
    assert not admitted.wait(timeout=0.3), "the third task must wait for a free slot"
    gate.set()
    producer.join()
    pool.join()
    assert admitted.is_set()
    assert [str(e) for e in errors] == ["boom"]


def test_stop_releases_a_waiting_producer() -> None:
    gate = threading.Event()
    pool = BoundedExecutor(1, max_pending=1)
    pool.submit(gate.wait)
    outcome: list[str] = []

    def blocked() -> None:
        try:
            pool.submit(print)
        except Stopped:
            outcome.append("stopped")

    producer = threading.Thread(target=blocked)
    producer.start()
    pool.stop()
    producer.join(timeout=5)
    gate.set()
    assert outcome == ["stopped"]
    with pytest.raises(Stopped):
        pool.submit(print)
