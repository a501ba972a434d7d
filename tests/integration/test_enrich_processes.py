"""Enrichment in processes of their own (``--enrich-processes``): the same records as in the main process, nothing
lost when a process dies or cannot sign in, every process gone when the run stops."""

from __future__ import annotations

import logging
import os
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oci_inventory.enrich import processes
from oci_inventory.oci.factory import FactoryRecipe, build_factory
from oci_inventory.pipeline import RunOptions, run_inventory
from oci_inventory.util import framed
from tests.conftest import REGIONS, Tenancy, _start
from tests.integration.helpers import expected_ocids, records, summary


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Tenancy]:
    """250 resources in 3 regions, no stale ones: a clean run has no ERROR record."""
    yield from _start(tmp_path / "emu", seed=4, size=250, regions=REGIONS, stale_one_in=0)


@pytest.fixture
def start_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start the processes with the first record to enrich (the small tenancy is far below START_AFTER)."""
    monkeypatch.setattr(processes, "START_AFTER", 1)


@pytest.fixture
def ready_at_once(start_at_once: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """... and let that first record wait until they are ready: the main process would otherwise enrich the whole
    small tenancy while they import the SDK."""
    start = processes.EnrichProcesses._maybe_start

    def start_and_wait(self: processes.EnrichProcesses) -> None:
        before = self._keeper.started
        start(self)
        if not before and self._keeper.started:  # they were started just now (maybe by another thread)
            for process in self._started():
                assert process.ready.wait(timeout=120), "the enrichment process did not start"

    monkeypatch.setattr(processes.EnrichProcesses, "_maybe_start", start_and_wait)


def recipe(tenancy: Tenancy, config_file: Path | None = None) -> FactoryRecipe:
    return FactoryRecipe(
        auth="api_key",
        profile="DEFAULT",
        config_file=str(config_file or tenancy.config_file),
        endpoint_template=tenancy.emu.endpoint_template,  # type: ignore[attr-defined]
        config_file_named_by="--config-file",
        max_attempts=8,
        max_retry_time=300.0,
        connect_timeout=10.0,
        read_timeout=60.0,
    )


def run(tenancy: Tenancy, outdir: Path, count: int, config_file: Path | None = None) -> Path:
    factory, _ = build_factory(recipe(tenancy, config_file))
    options = RunOptions(outdir=outdir, query="query all resources", enrich_processes=count)
    return run_inventory(factory, options).run_dir


def stable(recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k != "collectedAt"} for r in recs]


def log_messages(run_dir: Path) -> list[str]:
    import json

    return [json.loads(line)["message"] for line in (run_dir / "run.log").read_text().splitlines()]


def test_records_enriched_in_processes_are_the_records_of_the_main_process(
    small: Tenancy, tmp_path: Path, ready_at_once: None
) -> None:
    alone = run(small, tmp_path / "alone", 0)
    shared = run(small, tmp_path / "shared", 2)
    assert stable(records(shared)) == stable(records(alone))
    assert (shared / "relationships.jsonl").read_bytes() == (alone / "relationships.jsonl").read_bytes()
    messages = log_messages(shared)
    assert "2 enrichment processes started, 12 threads each" in messages
    used = [m for m in messages if m.startswith("an enrichment process used")]
    assert len(used) == 2 and all(not m.endswith(" 0 records") for m in used)
    assert not any("ended early" in m for m in messages)
    # every call counted once, wherever it was made: the children's counts are added to the summary
    calls_alone, calls_shared = summary(alone)["api_calls"], summary(shared)["api_calls"]
    assert calls_shared["by_type"].keys() == calls_alone["by_type"].keys()
    journal_gets = sum(1 for e in small.emu.journal.entries() if e.operation.startswith(("Get", "List")))  # type: ignore[attr-defined]
    counted_gets = sum(n for op, n in calls_alone["by_operation"].items() if op.startswith(("get_", "list_")))
    counted_gets += sum(n for op, n in calls_shared["by_operation"].items() if op.startswith(("get_", "list_")))
    assert counted_gets == journal_gets
    assert {e.method for e in small.emu.journal.entries()} <= {"GET", "POST"}  # type: ignore[attr-defined]


def test_processes_under_5xx_and_connection_resets_lose_nothing(
    small: Tenancy, tmp_path: Path, ready_at_once: None
) -> None:
    small.emu.faults.configure(error_rate=0.05, reset_rate=0.05, seed=7)  # type: ignore[attr-defined]
    run_dir = run(small, tmp_path / "out", 2)
    recs = records(run_dir)
    ocids = [r["ocid"] for r in recs]
    assert len(ocids) == len(set(ocids))
    assert set(ocids) == expected_ocids(small.emu.model, list(REGIONS))  # type: ignore[attr-defined]
    assert [r for r in recs if r["enrichStatus"] == "ERROR"] == []
    retries = summary(run_dir)["api_retries"]
    statuses = Counter(e.status for e in small.emu.journal.entries())  # type: ignore[attr-defined]
    assert statuses[500] > 0 and statuses[0] > 0
    assert retries["server_errors"] == statuses[500]  # every retry counted once, in whichever process it was
    assert retries["connection_errors"] == statuses[0]  # status 0: the emulator reset the connection
    assert sum(s["retries"] for s in retries["by_service"].values()) == retries["retries"]
    assert not any("ended early" in m for m in log_messages(run_dir))


def test_a_process_that_dies_gives_its_records_back(
    small: Tenancy, tmp_path: Path, ready_at_once: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = processes.EnrichProcess._message
    killed: list[int] = []

    def kill_after_first_answer(self: processes.EnrichProcess, message: Any) -> None:
        answer(self, message)
        if isinstance(message, list) and not killed:
            killed.append(self.pid)
            os.kill(self.pid, signal.SIGKILL)

    monkeypatch.setattr(processes.EnrichProcess, "_message", kill_after_first_answer)
    run_dir = run(small, tmp_path / "out", 1)
    recs = records(run_dir)
    assert killed
    ocids = [r["ocid"] for r in recs]
    assert len(ocids) == len(set(ocids))
    assert set(ocids) == expected_ocids(small.emu.model, list(REGIONS))  # type: ignore[attr-defined]
    assert [r for r in recs if r["enrichStatus"] == "ERROR"] == []
    messages = log_messages(run_dir)
    assert any("ended early (exit -9)" in m for m in messages)


def test_a_process_that_cannot_sign_in_takes_no_record(small: Tenancy, tmp_path: Path, start_at_once: None) -> None:
    moved = tmp_path / "config"
    moved.write_bytes(small.config_file.read_bytes())
    factory, _ = build_factory(recipe(small, moved))
    moved.unlink()  # the main process signed in; its children cannot
    options = RunOptions(outdir=tmp_path / "out", query="query all resources", enrich_processes=1)
    run_dir = run_inventory(factory, options).run_dir
    recs = records(run_dir)
    assert set(r["ocid"] for r in recs) == expected_ocids(small.emu.model, list(REGIONS))  # type: ignore[attr-defined]
    assert [r for r in recs if r["enrichStatus"] == "ERROR"] == []
    assert any("ended early (ConfigError while starting)" in m or "ended early (AuthError while starting)" in m
               for m in log_messages(run_dir))  # fmt: skip


def test_stop_kills_every_process(small: Tenancy, start_at_once: None) -> None:
    import orjson

    tree = {"tenancy_id": "t", "items": [], "wire": {}}
    frame = {"recipe": recipe(small).as_json(), "tree": tree, "threads": 1, "log_level": logging.WARNING}
    start = orjson.dumps({**frame, "debug": False})
    done: list[Any] = []
    lanes = processes.EnrichProcesses(2, 2, lambda threads: start, lambda t, e: done.append(e), lambda t: None)
    assert lanes.submit(processes.Task({"identifier": "x"}, "us-ashburn-1", None), "c") is False  # not ready yet
    for process in lanes._started():
        process.ready.wait()
    lanes.stop()
    assert len(lanes.processes) == 2
    assert all(p._proc.poll() is not None for p in lanes.processes)
    with pytest.raises(processes.Stopped):
        lanes._wait_for_room(None)


def test_the_cli_option_is_checked(cli, shared_tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("run", *shared_tenancy.args, "--outdir", str(tmp_path), "--enrich-processes", "some")
    assert result.code == 2
    assert "enrich_processes" in result.err or "--enrich-processes" in result.err
    assert processes.parse_processes("auto") is None
    assert processes.parse_processes("off") == 0
    assert processes.parse_processes("3") == 3


def test_frames_cut_short_are_an_error() -> None:
    import io

    buffer = io.BytesIO()
    framed.write_frame(buffer, b'{"a":1}')
    whole = buffer.getvalue()
    assert framed.read_frame(io.BytesIO(whole)) == b'{"a":1}'
    assert framed.read_frame(io.BytesIO(b"")) is None
    with pytest.raises(EOFError):
        framed.read_frame(io.BytesIO(whole[:-1]))
    with pytest.raises(EOFError):
        framed.read_frame(io.BytesIO(whole[:2]))


def test_a_child_log_record_goes_through_the_main_process_loggers(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        framed.relog({"name": "oci_inventory.oci.clients", "levelno": logging.WARNING, "msg": "retrying",
                         "region": "us-ashburn-1"}, 4242)  # fmt: skip
    (record,) = [r for r in caplog.records if r.getMessage() == "retrying"]
    assert record.name == "oci_inventory.oci.clients" and record.levelno == logging.WARNING
    assert record.process == 4242 and record.region == "us-ashburn-1"  # type: ignore[attr-defined]
