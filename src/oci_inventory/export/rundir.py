"""Run directories: everything a run writes appears at once, or not at all.

A run writes into a hidden ``<outdir>/.<YYYYMMDDTHHMMSSZ>.partial-<pid>-<rand>`` directory; :meth:`commit`
renames it to ``<outdir>/<YYYYMMDDTHHMMSSZ>``. An existing directory is never reused or overwritten: if the
name is taken (two runs in the same second) the run gets ``<name>-2``, ``<name>-3``, ... Files inside are
written atomically (temp file, fsync, ``os.replace``).

The partial directory holds an owner file (``.owner.json``: pid, host, start time) until the rename, so the next
run into the same outdir can tell a crashed run's leftovers (``kill -9``, power loss) from a run in progress:
it names every ``.partial-*`` it finds with a warning and removes those whose process is gone (same host, pid not
alive), or that have no owner file and are older than an hour. Others (a live process, another host) are kept.

An ``OSError`` of the environment (disk full, read-only or unwritable path) while the directory is open becomes
a :class:`ConfigError` (exit 2) naming the outdir; the partial directory is removed.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import socket
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson

from oci_inventory.util.errors import ConfigError, environment_error
from oci_inventory.util.time import iso_z, run_dir_name, utc_now

log = logging.getLogger(__name__)
RUN_DIR_PATTERN = re.compile(r"^(\d{8}T\d{6}Z)(?:-(\d+))?$")
PARTIAL_PATTERN = re.compile(r"^\.\d{8}T\d{6}Z\.partial-")
OWNER_FILE = ".owner.json"
OWNERLESS_STALE_S = 3600.0  # a partial directory without an owner file is abandoned after this long
_MAX_SUFFIX = 10_000


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temp file in the same directory, fsync and ``os.replace``."""
    return atomic_write_chunks(path, (data,))


def atomic_write_chunks(path: Path, chunks: Iterable[bytes]) -> Path:
    """Stream ``chunks`` to a temp file next to ``path``, fsync, then ``os.replace`` it onto ``path``.

    Readers see the old file or the complete new one, never a partial one; on error the temp file is removed.
    """
    tmp = path.with_name(f".{path.name}.tmp-{secrets.token_hex(4)}")
    try:
        with open(tmp, "wb", buffering=1 << 20) as fh:
            for chunk in chunks:
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def json_bytes(obj: Any) -> bytes:
    """Pretty JSON for small files: sorted keys, 2-space indent, trailing newline."""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"


def _run_sort_key(path: Path) -> tuple[str, int]:
    match = RUN_DIR_PATTERN.match(path.name)
    assert match is not None
    return match.group(1), int(match.group(2) or 1)


def find_runs(outdir: Path) -> list[Path]:
    """Finished run directories in ``outdir``, oldest first (``X`` < ``X-2`` < ``X-10``). [] if none."""
    try:
        entries = list(outdir.iterdir())
    except OSError:
        return []
    runs = [p for p in entries if RUN_DIR_PATTERN.match(p.name) and p.is_dir()]
    return sorted(runs, key=_run_sort_key)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: alive, owned by someone else
        return True
    return True


def _partial_owner(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((path / OWNER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("pid"), int) else None


def _is_abandoned(path: Path, owner: dict[str, Any] | None, host: str) -> tuple[bool, str]:
    """(abandoned?, why) for one partial directory."""
    if owner is None:
        try:
            age = time.time() - path.stat().st_mtime
        except OSError:
            return False, "unreadable"
        if age > OWNERLESS_STALE_S:
            return True, f"no owner file, {int(age // 60)} minutes old"
        return False, "no owner file yet, less than an hour old"
    pid, where = owner["pid"], owner.get("host")
    if where != host:
        return False, f"pid {pid} on host {where}"
    if _pid_alive(pid):
        return False, f"pid {pid} is still running"
    return True, f"pid {pid} on this host has exited"


def sweep_stale_partials(outdir: Path) -> list[Path]:
    """Name every ``.partial-*`` directory in ``outdir`` (a warning each) and remove the abandoned ones.

    Returns the ones removed.
    """
    try:
        partials = sorted(p for p in outdir.iterdir() if PARTIAL_PATTERN.match(p.name) and p.is_dir())
    except OSError:
        return []
    host = socket.gethostname()
    removed: list[Path] = []
    for path in partials:
        abandoned, why = _is_abandoned(path, _partial_owner(path), host)
        if abandoned:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
            log.warning("removed the unfinished run directory %s left by an earlier run (%s)", path, why)
        else:
            log.warning("kept the unfinished run directory %s (%s)", path, why)
    return removed


class RunDirectory:
    """A run's output directory, hidden until :meth:`commit`. Use :meth:`create`."""

    def __init__(self, outdir: Path, name: str, tmp_path: Path) -> None:
        self.outdir = outdir
        self.name = name
        self.tmp_path = tmp_path
        self.final_path: Path | None = None
        self._done = False

    @classmethod
    def create(cls, outdir: Path, started: datetime) -> RunDirectory:
        """Make ``outdir`` if needed and a fresh hidden temp directory in it."""
        name = run_dir_name(started)
        try:
            outdir.mkdir(parents=True, exist_ok=True)
            sweep_stale_partials(outdir)
            tmp = outdir / f".{name}.partial-{os.getpid()}-{secrets.token_hex(4)}"
            tmp.mkdir()
            owner = {"pid": os.getpid(), "host": socket.gethostname(), "started_at": iso_z(utc_now())}
            atomic_write_bytes(tmp / OWNER_FILE, json_bytes(owner))
        except FileExistsError:
            raise ConfigError(
                f"output directory {outdir} exists but is not a directory; pass another --outdir"
            ) from None
        except OSError as exc:
            raise ConfigError(
                f"cannot create a run directory in {outdir}: {exc.strerror or exc}; pass a writable --outdir"
            ) from None
        return cls(outdir, name, tmp)

    def _check_open(self) -> None:
        if self._done:
            raise RuntimeError(f"run directory {self.tmp_path} is already committed or aborted")

    def file(self, name: str) -> Path:
        """The path of ``name`` inside the (temporary) run directory. ``name`` must be a plain file name."""
        self._check_open()
        if not name or name in {".", ".."} or "/" in name or "\\" in name:
            raise ValueError(f"not a plain file name: {name!r}")
        return self.tmp_path / name

    def write_bytes(self, name: str, data: bytes) -> Path:
        return atomic_write_bytes(self.file(name), data)

    def write_json(self, name: str, obj: Any) -> Path:
        return self.write_bytes(name, json_bytes(obj))

    def commit(self) -> Path:
        """Rename to ``<outdir>/<name>`` (or ``<name>-2``, ``-3``... if taken) and return the final path."""
        self._check_open()
        (self.tmp_path / OWNER_FILE).unlink(missing_ok=True)  # not part of the run
        _fsync_dir(self.tmp_path)
        for n in range(1, _MAX_SUFFIX):
            target = self.outdir / (self.name if n == 1 else f"{self.name}-{n}")
            if os.path.lexists(target):
                continue
            try:
                os.rename(self.tmp_path, target)
            except OSError:
                # Lost a race with another run taking the same name (or the name became unusable): try the next.
                if os.path.lexists(target):
                    continue
                raise
            self._done = True
            self.final_path = target
            _fsync_dir(self.outdir)
            return target
        raise ConfigError(f"too many runs named {self.name}* in {self.outdir}; clean up the directory")

    def abort(self) -> None:
        """Remove the temporary directory and everything in it. Safe to call twice."""
        if self._done:
            return
        self._done = True
        shutil.rmtree(self.tmp_path, ignore_errors=True)

    def __enter__(self) -> RunDirectory:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            return
        self.abort()
        converted = environment_error(exc, self.outdir) if exc is not None else None
        if converted is not None:
            raise converted from exc
