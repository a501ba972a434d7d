"""Interrupts end a run at once, leave nothing that looks finished, and never undo a committed run.

The subprocess tests poll the emulator's journal to know the run is under way (no sleeps to wait for the tool);
the 30 s bound proves only that the process did not wait for a 120 s request.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from oci_inventory.export.rundir import OWNER_FILE, find_runs
from oci_inventory.util import interrupts
from tests.integration.helpers import run_dir, summary

STUCK_REGION = "eu-frankfurt-1"


def _start_stuck_run(tenancy, out: Path) -> subprocess.Popen[str]:  # type: ignore[no-untyped-def]
    """A run whose eu-frankfurt-1 search takes 120 s; returns once the other two regions have been searched."""
    tenancy.emu.faults.configure(slow_regions={STUCK_REGION: 120_000})
    proc = subprocess.Popen(
        [sys.executable, "-m", "oci_inventory", "run", *tenancy.args, "--outdir", str(out), "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
        text=True,
    )
    deadline = time.monotonic() + 60
    while {e.region for e in tenancy.emu.journal.entries() if e.operation == "SearchResources"} != {
        "us-ashburn-1",
        "ap-tokyo-1",
    }:
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    return proc


def _finish(proc: subprocess.Popen[str], started: float) -> tuple[str, str, float]:
    stdout, stderr = proc.communicate(timeout=60)
    return stdout, stderr, time.monotonic() - started


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_ends_the_run_at_once_despite_a_request_in_flight(tenancy, tmp_path: Path, signum: int) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    proc = _start_stuck_run(tenancy, out)
    assert [p.name for p in out.iterdir() if ".partial-" in p.name], "the run is writing its partial directory"
    started = time.monotonic()
    proc.send_signal(signum)
    stdout, stderr, took = _finish(proc, started)
    assert proc.returncode == 130, stderr
    assert took < 30, "did not wait for the 120 s request"
    assert "interrupted" in stderr and "Traceback" not in stderr and stdout == ""
    assert list(out.iterdir()) == [], "no run directory and no partial directory"


def test_a_second_ctrl_c_exits_at_once_without_a_traceback(tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    proc = _start_stuck_run(tenancy, tmp_path / "out")
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    proc.send_signal(signal.SIGINT)
    stdout, stderr, took = _finish(proc, started)
    assert proc.returncode == 130 and took < 30 and "Traceback" not in stderr and stdout == ""
    assert find_runs(tmp_path / "out") == []


def test_the_second_signal_handler_exits_130_and_the_first_interrupts() -> None:
    interrupts.reset()
    exits: list[int] = []
    with pytest.raises(KeyboardInterrupt):
        interrupts.handle(signal.SIGINT, None, hard_exit=exits.append)
    interrupts.handle(signal.SIGINT, None, hard_exit=exits.append)  # during cleanup
    assert exits == [130]
    interrupts.reset()


def test_a_signal_during_the_commit_is_held_until_the_run_is_known_committed(tmp_path: Path) -> None:
    interrupts.reset()
    with pytest.raises(KeyboardInterrupt), interrupts.deferred():
        interrupts.handle(signal.SIGTERM, None)  # arrives mid-rename: held, not raised here
        interrupts.note_committed(tmp_path)
    assert interrupts.STATE.committed == tmp_path
    interrupts.reset()


def test_a_signal_after_the_commit_prints_the_run_and_exits_0(
    cli, shared_tenancy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers can only be installed in the main thread")
    from oci_inventory.export.rundir import RunDirectory

    original = RunDirectory.commit

    def commit_then_sigterm(self: RunDirectory) -> Path:
        final = original(self)
        signal.raise_signal(signal.SIGTERM)  # delivered to this process's handler right after the rename
        return final

    monkeypatch.setattr(RunDirectory, "commit", commit_then_sigterm)
    result = cli("run", *shared_tenancy.args, "--outdir", str(tmp_path / "out"), "--quiet")
    assert result.code == 0, result.err
    directory = run_dir(result.out)
    assert result.out.strip().splitlines() == [str(directory)]
    assert find_runs(tmp_path / "out") == [directory] and summary(directory)["total_discovered"] > 0
    assert "interrupted after the run was committed" in result.err and "Traceback" not in result.err
    assert signal.getsignal(signal.SIGTERM) is not interrupts.handle, "main restores the previous handlers"


def test_leftovers_of_kill_9_are_named_and_removed_by_the_next_run(cli, tenancy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    proc = _start_stuck_run(tenancy, out)
    proc.kill()
    proc.communicate(timeout=60)
    (killed,) = [p for p in out.iterdir() if ".partial-" in p.name]
    owner = json.loads((killed / OWNER_FILE).read_text())
    assert owner["pid"] == proc.pid and owner["host"] == socket.gethostname() and owner["started_at"]

    alive = out / ".20200101T000000Z.partial-1-live"  # this test's parent process is alive
    other_host = out / ".20200101T000000Z.partial-2-remote"
    old_ownerless = out / ".20200101T000000Z.partial-3-old"
    new_ownerless = out / ".20200101T000000Z.partial-4-new"
    for path, pid, host in ((alive, os.getppid(), socket.gethostname()), (other_host, 1, "elsewhere.example")):
        path.mkdir()
        (path / OWNER_FILE).write_text(json.dumps({"pid": pid, "host": host, "started_at": "2020-01-01T00:00:00.000Z"}))
    old_ownerless.mkdir()
    new_ownerless.mkdir()
    two_hours_ago = time.time() - 7200
    os.utime(old_ownerless, (two_hours_ago, two_hours_ago))

    tenancy.emu.faults.reset()
    result = cli("run", *tenancy.args, "--outdir", str(out), "--quiet")
    assert result.code == 0, result.err
    for path in (killed, old_ownerless):
        assert not path.exists() and f"removed the unfinished run directory {path}" in result.err
    for path in (alive, other_host, new_ownerless):
        assert path.exists() and f"kept the unfinished run directory {path}" in result.err
    assert f"pid {proc.pid} on this host has exited" in result.err and "elsewhere.example" in result.err
    assert not (run_dir(result.out) / OWNER_FILE).exists(), "the owner file is not part of a committed run"
