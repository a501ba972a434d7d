"""Records built in processes of their own (``--intake-processes``): the same files as when the main process
builds them, nothing lost or doubled when a process dies or cannot start, every process gone when the run stops."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oci_inventory import intake_processes, pipeline
from oci_inventory.oci import discovery
from oci_inventory.oci.compartments import CompartmentTree, tree_as_json
from oci_inventory.oci.factory import build_factory
from oci_inventory.pipeline import RunOptions, run_inventory
from oci_inventory.util import framed
from tests.conftest import REGIONS, Tenancy, _start
from tests.integration.helpers import expected_ocids, records, summary
from tests.integration.test_enrich_processes import recipe, stable


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Tenancy]:
    """400 resources in 3 regions, no stale ones, one with a Search summary of an unusual shape."""
    for tenancy in _start(tmp_path / "emu", seed=6, size=400, regions=REGIONS, stale_one_in=0):
        model = tenancy.emu.model  # type: ignore[attr-defined]
        target = next(r for r in model.resources if r["resourceType"] == "Bucket")
        odd = {"timeCreated": 1714558272, "freeformTags": ["x"]}  # summary_record leaves it to the general path
        model.resources = [{**r, **odd} if r is target else r for r in model.resources]
        model.touch()
        yield tenancy


@pytest.fixture
def processes_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start the processes after the first page built inline and let the next page wait until they are ready
    (the small tenancy is far below START_AFTER); Search pages of 25 results and a sorter budget of 16 KiB, so each
    process takes many pages and acknowledges many times."""
    monkeypatch.setattr(intake_processes, "START_AFTER", 1)
    monkeypatch.setattr(intake_processes.IntakeProcesses, "expect_many", lambda self: None)  # not at a first page
    monkeypatch.setattr(discovery, "SEARCH_PAGE_LIMIT", 25)
    monkeypatch.setattr(pipeline, "RECORDS_SORT_MEMORY", 16 * 1024)
    built_inline = intake_processes.IntakeProcesses.built_inline

    def start_and_wait(self: intake_processes.IntakeProcesses, count: int) -> None:
        before = self._built
        built_inline(self, count)
        if before < intake_processes.START_AFTER <= self._built:
            for process in self._started():
                assert process.ready.wait(timeout=60), "the intake process did not start"

    monkeypatch.setattr(intake_processes.IntakeProcesses, "built_inline", start_and_wait)


def run(tenancy: Tenancy, outdir: Path, count: int, *, no_enrich: bool = True, attempts: int = 8) -> Path:
    factory, _ = build_factory(dataclasses.replace(recipe(tenancy), max_attempts=attempts))
    options = RunOptions(
        outdir=outdir,
        query="query all resources",
        intake_processes=count,
        no_enrich=no_enrich,
        include_terminated=not no_enrich,  # a full run's inline records: the terminated ones (SKIPPED)
    )
    return run_inventory(factory, options).run_dir


def messages(run_dir: Path) -> list[str]:
    return [json.loads(line)["message"] for line in (run_dir / "run.log").read_text().splitlines()]


def built_by_processes(run_dir: Path) -> int:
    found = [m for m in messages(run_dir) if m.startswith("intake process ") and " built " in m]
    return sum(int(m.split(" built ")[1].split()[0]) for m in found)


def counts(run_dir: Path) -> dict[str, Any]:
    data = summary(run_dir)
    return {k: data[k] for k in ("total_discovered", "counts_by_resource_type", "counts_by_enrich_status")}


@pytest.mark.parametrize("no_enrich", [True, False])
def test_the_same_files_as_the_main_process_alone(
    small: Tenancy, tmp_path: Path, processes_at_once: None, no_enrich: bool
) -> None:
    alone = run(small, tmp_path / "alone", 0, no_enrich=no_enrich)
    shared = run(small, tmp_path / "shared", 2, no_enrich=no_enrich)
    assert stable(records(shared)) == stable(records(alone))
    assert (shared / "relationships.jsonl").read_bytes() == (alone / "relationships.jsonl").read_bytes()
    assert (shared / "graph.graphml").read_bytes() == (alone / "graph.graphml").read_bytes()  # nodes made there
    assert counts(shared) == counts(alone)
    ocids = [r["ocid"] for r in records(shared)]
    expected = expected_ocids(small.emu.model, list(REGIONS), include_terminated=not no_enrich)  # type: ignore[attr-defined]
    assert len(ocids) == len(set(ocids)) and set(ocids) == expected
    assert built_by_processes(alone) == 0
    assert 0 < built_by_processes(shared) < len(ocids)  # the first page was built before they started
    odd = [r for r in records(shared) if r["details"]["searchSummary"].get("timeCreated") == 1714558272]
    assert len(odd) == 1 and odd[0]["timeCreated"] is None  # left to the main process, built as it builds it
    leftovers = [p.name for p in shared.iterdir() if p.name.startswith("oci-inv-")]
    assert leftovers == []  # the processes' sorted runs are gone with the export


def test_a_region_of_more_than_one_page_starts_them_at_once(
    small: Tenancy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A region whose first Search page is not its last starts the processes then, while its next pages come, not
    after START_AFTER records built inline (the tenancy has 400): they build the records of the later pages."""
    monkeypatch.setattr(discovery, "SEARCH_PAGE_LIMIT", 25)
    expect_many = intake_processes.IntakeProcesses.expect_many
    called: list[int] = []

    def start_and_wait(self: intake_processes.IntakeProcesses) -> None:
        called.append(1)
        expect_many(self)
        for process in self._started():
            assert process.ready.wait(timeout=60), "the intake process did not start"

    monkeypatch.setattr(intake_processes.IntakeProcesses, "expect_many", start_and_wait)
    run_dir = run(small, tmp_path / "out", 2)
    ocids = [r["ocid"] for r in records(run_dir)]
    assert len(ocids) == len(set(ocids)) and set(ocids) == expected_ocids(small.emu.model, list(REGIONS))  # type: ignore[attr-defined]
    assert len(ocids) < intake_processes.START_AFTER and len(called) >= len(REGIONS)  # every region's first page
    assert built_by_processes(run_dir) > 0
    assert sum(1 for m in messages(run_dir) if m == "2 intake processes started") == 1  # started once


def test_children_get_their_first_frame_on_their_own_threads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Starting a child does not wait for it to read its first frame (larger than a pipe holds): children started
    one after another import their modules together. Here they read it only once the test lets each go."""
    fifo = tmp_path / "go"
    os.mkfifo(fifo)
    monkeypatch.setenv("OCI_INV_TEST_FIFO", str(fifo))
    monkeypatch.setattr(intake_processes.IntakeProcess, "module", "tests.integration.framed_waiting_child")
    start = json.dumps({"log_level": 20, "debug": False, "padding": "x" * (1 << 20)}).encode()
    group = intake_processes.IntakeProcesses(2, tmp_path, lambda d: start, lambda ack: None, lambda at, e: None)
    writer = os.open(fifo, os.O_RDWR)  # never blocks; each child takes one byte from it
    released = False
    try:
        group.expect_many()
        assert group._keeper._spawned.wait(timeout=60), "starting the children waited for them to read"
        started = group._started()
        assert len(started) == 2 and not any(p.ready.is_set() for p in started)
        os.write(writer, b"ab")
        released = True
        assert all(p.ready.wait(timeout=60) for p in started)  # each read its whole first frame
        group.finish()
        assert [p._proc.returncode for p in started] == [0, 0]
    finally:
        if not released:
            os.write(writer, b"ab")  # a child blocking its starter reads, so that stop() can end
        os.close(writer)
        group.stop()


def test_finishing_before_a_child_has_its_first_frame_still_ends_it_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that ends before its children got their first frame (a small run that started them at its first page):
    finishing waits for the frame to be written before closing their input, so each child starts, finds no page
    and ends with its figures (exit 0), instead of reading the end of its input first and ending as abandoned."""
    finishing = threading.Event()
    send = framed.FramedChild._send
    finish = framed.FramedChild.finish

    first: set[int] = set()

    def first_frame_after_finish(self: framed.FramedChild, payload: bytes) -> bool:
        if id(self) not in first:  # a child's first frame (nothing else goes before it is ready)
            first.add(id(self))
            assert finishing.wait(timeout=60)
        return send(self, payload)

    def finish_now(self: framed.FramedChild) -> None:
        finishing.set()
        finish(self)

    monkeypatch.setattr(framed.FramedChild, "_send", first_frame_after_finish)
    monkeypatch.setattr(framed.FramedChild, "finish", finish_now)
    start = json.dumps(
        {"tree": tree_as_json(CompartmentTree("ocid1.tenancy.oc1..x", ())), "directory": str(tmp_path),
         "records_budget": 1 << 20, "log_level": 20, "debug": False}
    ).encode()  # fmt: skip
    group = intake_processes.IntakeProcesses(2, tmp_path, lambda d: start, lambda ack: None, lambda at, e: None)
    group.expect_many()
    started = group._started()
    try:
        group.finish()
        assert [p._proc.returncode for p in started] == [0, 0]
        assert all(p.stats is not None and p.stats["records"] == 0 for p in started)
    finally:
        group.stop()


def test_a_process_killed_with_pages_unacknowledged_loses_nothing(
    small: Tenancy, tmp_path: Path, processes_at_once: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child acknowledges nothing before the end (a budget of 1 GiB) and is killed after its third page: those
    pages (and any the other regions' intake threads sent meanwhile) come back to the main process, and every later
    one fails to send and is built there too."""
    monkeypatch.setattr(pipeline, "RECORDS_SORT_MEMORY", 1 << 30)
    send = intake_processes.IntakeProcess.send
    sent: list[int] = []

    def kill_after_third_page(self: intake_processes.IntakeProcess, *args: Any) -> bool:
        taken = send(self, *args)
        if taken and len(sent) < 3:
            sent.append(self.pid)
            if len(sent) == 3:
                os.kill(self.pid, signal.SIGKILL)
                self._proc.wait()
        return taken

    monkeypatch.setattr(intake_processes.IntakeProcess, "send", kill_after_third_page)
    run_dir = run(small, tmp_path / "out", 1)
    assert len(sent) == 3
    ocids = [r["ocid"] for r in records(run_dir)]
    assert len(ocids) == len(set(ocids)) and set(ocids) == expected_ocids(small.emu.model, list(REGIONS))  # type: ignore[attr-defined]
    assert summary(run_dir)["total_discovered"] == len(ocids)
    assert built_by_processes(run_dir) == 0  # it never finished: nothing of it was adopted
    given_back = [m for m in messages(run_dir) if "ended early" in m and "unacknowledged pages" in m]
    assert len(given_back) == 1  # its three pages, and those other intake threads sent meanwhile
    assert int(given_back[0].split(" of its ")[1].split()[0]) >= 3


def test_a_region_down_is_the_same_partial_result_with_processes(
    small: Tenancy, tmp_path: Path, processes_at_once: None
) -> None:
    """A region whose Search fails: the other regions' records, built partly by a process, are those of a run
    without one, and the summary says which region failed."""
    small.emu.faults.configure(down_regions={"eu-frankfurt-1"})  # type: ignore[attr-defined]
    alone = run(small, tmp_path / "alone", 0, attempts=2)
    shared = run(small, tmp_path / "shared", 1, attempts=2)
    assert stable(records(shared)) == stable(records(alone))
    assert (shared / "relationships.jsonl").read_bytes() == (alone / "relationships.jsonl").read_bytes()
    expected = expected_ocids(small.emu.model, ["us-ashburn-1", "ap-tokyo-1"])  # type: ignore[attr-defined]
    ocids = [r["ocid"] for r in records(shared)]
    assert len(ocids) == len(set(ocids)) and set(ocids) == expected
    assert built_by_processes(shared) > 0
    regions = {r["region"]: r["status"] for r in summary(shared)["regions"]}
    assert regions == {"us-ashburn-1": "ok", "ap-tokyo-1": "ok", "eu-frankfurt-1": "failed"}


def test_a_process_that_cannot_start_takes_nothing(
    small: Tenancy, tmp_path: Path, processes_at_once: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = json.dumps({"tree": None, "log_level": 20, "debug": False}).encode()
    monkeypatch.setattr(pipeline._Run, "_intake_start", lambda self, directory: broken)
    # no tree, no directory: the child fails while starting and never says it is ready
    monkeypatch.setattr(intake_processes.IntakeProcesses, "built_inline", _start_without_waiting)
    run_dir = run(small, tmp_path / "out", 1)
    ocids = [r["ocid"] for r in records(run_dir)]
    assert len(ocids) == len(set(ocids)) and set(ocids) == expected_ocids(small.emu.model, list(REGIONS))  # type: ignore[attr-defined]
    assert built_by_processes(run_dir) == 0
    assert any(m.startswith("intake process 0") and "while starting" in m for m in messages(run_dir))


def _start_without_waiting(self: intake_processes.IntakeProcesses, count: int) -> None:
    with self._lock:
        before = self._built
        self._built += count
    if before < intake_processes.START_AFTER <= self._built:
        self._keeper.start()
        for process in self._started():
            process._reader.join(timeout=60)  # its answers end: it failed while starting


def test_stop_kills_every_process(tmp_path: Path) -> None:
    def start(directory: Path) -> bytes:
        return json.dumps(
            {
                "tree": tree_as_json(CompartmentTree("ocid1.tenancy.oc1..x", ())),
                "directory": str(directory),
                "records_budget": 1,
                "log_level": 20,
                "debug": False,
            }
        ).encode()

    group = intake_processes.IntakeProcesses(2, tmp_path, start, lambda ack: None, lambda at, entries: None)
    group._keeper.start()
    started = group._started()
    assert len(started) == 2 and all(p.ready.wait(timeout=60) for p in started)  # alive, waiting for pages
    group.stop()
    assert [p._proc.returncode for p in started] == [-signal.SIGKILL] * 2
