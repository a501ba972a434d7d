"""A diff split by OCID range over processes: each compares its range of both inputs (:mod:`~.merge`).

Sorted inputs (as oci-inv writes them): split keys are read at evenly spaced offsets of the larger input, and a
binary search finds where each key starts in both inputs; shard ``i`` reads bytes ``[start_i, start_i+1)`` of
both files. Each shard checks that its OCIDs rise and stay within ``[key_i, key_i+1)``, so together the shards
prove both inputs sorted and free of duplicates, also across the boundaries.

Unsorted inputs: a bucket sort instead of a merge sort. Split keys are sampled from both inputs; every process
scans a byte range of both files and appends each line, prefixed with its OCID, to the bucket of its OCID range
in a spill file of its own (unnamed: nothing is left behind whatever happens); then each process sorts and
compares a run of buckets in memory, one at a time, which bounds memory by the bucket size, not the input size.

The main process takes the first range; ``python -m oci_inventory.diff.shard`` workers take the others and
spool their lists to unnamed files the main process adopts, in OCID order. A worker that stops (Ctrl-C, an
error) is killed and its files closed by the main process. Whatever the fast path does not decide
(:class:`~.merge.Anomaly`) is left to the exact path of :mod:`oci_inventory.diff.diff`.
"""

from __future__ import annotations

import gc
import json
import os
import stat
import subprocess
import sys
import tempfile
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path
from typing import IO, Any

from oci_inventory.diff.merge import (
    _OCID,
    _SEP,
    Anomaly,
    OutOfOrder,
    Sink,
    Tally,
    add_counts,
    bucket_items,
    line_key,
    merge,
    slow_key,
    sorted_range,
    span_lines,
)
from oci_inventory.util.processes import reap, usable_cores

#: Never more processes than this (each holds up to a few buckets' worth of memory).
MAX_SHARDS = 4
#: Below this many input bytes per process, one more process costs more than it saves.
MIN_SHARD_BYTES = 32 * 2**20
#: Bytes read at a time when probing a file for a line.
_PROBE = 4096
#: Lines read at the start of each input to tell a sorted one at once.
_HEAD_LINES = 100
#: OCIDs sampled per bucket to choose the buckets' split keys, read in blocks of lines at spaced offsets.
_SAMPLES_PER_BUCKET = 48
_SAMPLE_BLOCK = 16384
_MAX_SAMPLE_BLOCKS = 4096
_MAX_BUCKETS = 4096
#: Lines buffered per bucket and side before they go to the spill file.
_CHUNK_LINES = 64
_IO = 1 << 20


def auto_shards(total_bytes: int) -> int:
    """How many processes to compare ``total_bytes`` of input: one per usable core, at most :data:`MAX_SHARDS`,
    and one per :data:`MIN_SHARD_BYTES`."""
    return max(1, min(MAX_SHARDS, usable_cores(), total_bytes // MIN_SHARD_BYTES))


# --- Finding lines and OCIDs at byte offsets ---------------------------------------------------------------------


def _after_newline(fd: int, pos: int, size: int) -> int:
    """Where the line after the first newline at or after ``pos`` starts (``size`` when there is none)."""
    while pos < size:
        block = os.pread(fd, _PROBE, pos)
        if not block:
            break
        i = block.find(b"\n")
        if i >= 0:
            return pos + i + 1
        pos += len(block)
    return size


def _line_start(fd: int, pos: int, size: int) -> int:
    """The first line start at or after ``pos``."""
    return 0 if pos <= 0 else _after_newline(fd, pos - 1, size)


def _line_at(fd: int, start: int, size: int) -> tuple[bytes, int]:
    """The line that starts at ``start``, and where the next one starts."""
    end = _after_newline(fd, start, size)
    return os.pread(fd, end - start, start), end


def _key_from(fd: int, start: int, size: int) -> tuple[bytes | None, int]:
    """The OCID of the first record at or after the line start ``start`` and where the line after it starts;
    ``(None, size)`` when there is none."""
    pos = start
    while pos < size:
        raw, pos = _line_at(fd, pos, size)
        key = line_key(raw)
        if key is not None:
            return key, pos
    return None, size


def _head_sorted(fd: int, size: int, lines: int = _HEAD_LINES) -> bool:
    """Whether the first ``lines`` records of a file rise strictly by OCID."""
    last = b""
    pos = 0
    for _ in range(lines):
        key, pos = _key_from(fd, pos, size)
        if key is None:
            return True
        if key <= last:
            return False
        last = key
    return True


def first_at_least(fd: int, size: int, key: bytes) -> int:
    """Where the first record whose OCID is at least ``key`` starts in a sorted file (``size`` if none)."""
    lo, hi = 0, size  # the answer is a line start in [lo, hi]
    while lo < hi:
        start = _line_start(fd, (lo + hi) // 2, size)
        if start >= hi:  # no line starts in the upper half: look at the line at ``lo``
            start = lo
        found, after = _key_from(fd, start, size)
        if found is None or found >= key:
            hi = start
        else:
            lo = after
    return lo


# --- Plans ---------------------------------------------------------------------------------------------------------


Range = tuple[int, int]


def _cuts(parts: int) -> list[float]:
    """Where work is cut into ``parts`` equal parts, as fractions of the whole."""
    return [i / parts for i in range(1, parts)]


def _split_keys(fd: int, size: int, shards: int) -> list[bytes]:
    keys = []
    for cut in _cuts(shards):
        key, _ = _key_from(fd, _line_start(fd, int(size * cut), size), size)
        if key is not None:
            keys.append(key)
    return keys


def plan_sorted(
    fds: Sequence[int], sizes: Sequence[int], shards: int, keys: list[bytes] | None = None
) -> list[tuple[list[Range], bytes | None, bytes | None]]:
    """``(byte range per side, lowest OCID, OCID above the range)`` of each shard of two sorted files; split
    at ``keys`` (by default: at evenly spaced offsets of the larger file). Raises :class:`OutOfOrder` when the
    files cannot be sorted."""
    if keys is None:
        big = 0 if sizes[0] >= sizes[1] else 1
        keys = _split_keys(fds[big], sizes[big], shards)
    unique: list[bytes] = []
    for key in keys:
        if unique and key < unique[-1]:
            raise OutOfOrder
        if not unique or key != unique[-1]:
            unique.append(key)
    offsets = []
    for fd, size in zip(fds, sizes, strict=True):
        side = [0, *(first_at_least(fd, size, key) for key in unique), size]
        if any(b < a for a, b in pairwise(side)):
            raise OutOfOrder
        offsets.append(side)
    bounds: list[bytes | None] = [None, *unique, None]
    return [
        ([(offsets[0][i], offsets[0][i + 1]), (offsets[1][i], offsets[1][i + 1])], bounds[i], bounds[i + 1])
        for i in range(len(unique) + 1)
    ]


def bucket_bounds(fds: Sequence[int], sizes: Sequence[int], buckets: int) -> list[bytes]:
    """Split keys of ``buckets`` OCID ranges of about equal size, from the OCIDs of blocks of lines read at evenly
    spaced offsets of both files (strictly rising, maybe fewer)."""
    total = sum(sizes)
    if buckets <= 1 or total == 0:
        return []
    blocks = min(_MAX_SAMPLE_BLOCKS, buckets * _SAMPLES_PER_BUCKET // 8 + 1)
    sample: list[bytes] = []
    for fd, size in zip(fds, sizes, strict=True):
        count = -(-blocks * size // total)
        for j in range(count):
            block = os.pread(fd, _SAMPLE_BLOCK, size * j // count)
            for raw in block.split(b"\n")[1:-1]:  # whole lines only
                key = line_key(raw)
                if key is not None:
                    sample.append(key)
    sample.sort()
    bounds: list[bytes] = []
    for i in range(1, buckets):
        if not sample:
            break
        key = sample[len(sample) * i // buckets]
        if not bounds or key > bounds[-1]:
            bounds.append(key)
    return bounds


def _line_ranges(fd: int, size: int, parts: int) -> list[Range]:
    starts = [0, *(_line_start(fd, int(size * cut), size) for cut in _cuts(parts)), size]
    return [(starts[i], starts[i + 1]) for i in range(parts)]


def _groups(sizes: list[int], parts: int) -> list[range]:
    """Consecutive runs of buckets, one per process, of bytes cut as :func:`_cuts` says (some may be empty)."""
    total = sum(sizes) or 1
    groups = []
    first = acc = 0
    for cut in _cuts(parts):
        end = first
        while end < len(sizes) and acc + sizes[end] <= total * cut:
            acc += sizes[end]
            end += 1
        if end == first and end < len(sizes) and acc < total * cut:  # one big bucket: take it
            acc += sizes[end]
            end += 1
        groups.append(range(first, end))
        first = end
    groups.append(range(first, len(sizes)))
    return groups


# --- Jobs: what one process does -----------------------------------------------------------------------------------


class Spill:
    """Bucket entries (``OCID NUL line``) appended to one file in chunks; :attr:`chunks` says where each is."""

    def __init__(self, fd: int, buckets: int) -> None:
        self._fd = fd
        self._offset = os.fstat(fd).st_size
        self.buffers: list[list[list[bytes]]] = [[[] for _ in range(buckets)] for _ in (0, 1)]
        self.chunks: list[tuple[int, int, int, int]] = []  # side, bucket, offset, length

    def flush(self, side: int, bucket: int) -> None:
        buffer = self.buffers[side][bucket]
        if buffer:
            length = sum(map(len, buffer))
            if hasattr(os, "pwritev"):
                written = os.pwritev(self._fd, buffer, self._offset)  # gathered by the kernel: no joined copy
            else:  # pragma: no cover - platforms without pwritev
                written = 0
            if written != length:
                rest = b"".join(buffer)[written:]
                while rest:
                    done = os.pwrite(self._fd, rest, self._offset + written)
                    if done <= 0:
                        raise OSError(f"cannot write a spill file ({written} of {length} bytes written)")
                    written += done
                    rest = rest[done:]
            buffer.clear()
            self.chunks.append((side, bucket, self._offset, length))
            self._offset += length

    def close(self) -> None:
        for side in (0, 1):
            for bucket in range(len(self.buffers[side])):
                self.flush(side, bucket)


def scan(fd: int, side: int, span: Range, bounds: list[bytes], spill: Spill) -> None:
    """Append every record line that starts in ``span`` of an open file to the bucket of its OCID (the records
    are counted when the buckets are compared). A chunk may lack its final newline (the last line of a file)."""
    buffers = spill.buffers[side]
    limit = 3 * _CHUNK_LINES
    rfind, find = bytes.rfind, bytes.find
    with span_lines(fd, *span) as lines:
        for raw in lines:
            i = rfind(raw, _OCID) + 8
            if i >= 8:
                j = find(raw, b'"', i)
                key = raw[i:j]
                if j <= i or b"\\" in key:
                    key = _scan_key(raw)
            else:
                key = _scan_key(raw)
            if key:
                bucket = bisect_right(bounds, key)
                buffer = buffers[bucket]
                buffer += (key, _SEP, raw)
                if len(buffer) >= limit:
                    spill.flush(side, bucket)


def _scan_key(raw: bytes) -> bytes:
    """:func:`~.merge.slow_key` for a bucket entry: ``b""`` for a blank line; an OCID that would break the entry
    (a newline or NUL in it) is an :class:`Anomaly`."""
    key = slow_key(raw)
    if key is None:
        return b""
    if b"\n" in key or _SEP in key:
        raise Anomaly
    return key


def _pread(fd: int, offset: int, length: int) -> bytes:
    data = os.pread(fd, length, offset)
    if len(data) != length:
        raise OSError(f"short read of a spill file ({len(data)} of {length} bytes)")
    return data


def compare_buckets(
    buckets: list[list[tuple[int, int, int, int]]], sink: Sink, compared: frozenset[str], cap: int
) -> None:
    """Sort and compare each bucket (its chunks as ``(spill fd, side, offset, length)``) in order. A bucket
    larger than ``cap`` bytes is an :class:`Anomaly` (the exact path sorts it with bounded memory)."""
    for chunks in buckets:
        if sum(chunk[3] for chunk in chunks) > cap:
            raise Anomaly
        entries: list[list[bytes]] = [[], []]
        for fd, side, offset, length in chunks:
            entries[side] += _pread(fd, offset, length).split(b"\n")
        for side, lines in enumerate(entries):
            lines.sort()
            del lines[: bisect_right(lines, b"")]  # what followed each chunk's last newline
            sink.read[side] += len(lines)
        merge(bucket_items(entries[0]), bucket_items(entries[1]), sink, compared)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection meanwhile: a compare makes millions of short-lived dicts and no cycles, and
    collections triggered by them only cost time (a few percent)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _opened(paths: Sequence[Path]) -> Iterator[list[int]]:
    fds: list[int] = []
    try:
        for path in paths:
            fds.append(os.open(path, os.O_RDONLY))
        yield fds
    finally:
        for fd in fds:
            os.close(fd)


def run_job(job: dict[str, Any], sink: Sink) -> dict[str, Any]:
    """Do one job (see :func:`fast_diff`) into ``sink``; returns what the main process needs to know."""
    paths = [Path(p) for p in job.get("paths", ())]
    compared = frozenset(job.get("compared", ()))
    kind = job["job"]
    if kind == "sorted":
        lo, hi = (bytes.fromhex(k) if k is not None else None for k in (job["lo"], job["hi"]))
        (s0, e0), (s1, e1) = job["ranges"]
        with _opened(paths) as (prev, curr):
            merge(
                sorted_range(prev, (s0, e0), (lo, hi), sink.read, 0),
                sorted_range(curr, (s1, e1), (lo, hi), sink.read, 1),
                sink,
                compared,
            )
        return {}
    if kind == "scan":
        bounds = [bytes.fromhex(k) for k in job["bounds"]]
        spill = Spill(job["spill"], len(bounds) + 1)
        with _opened(paths) as fds:
            for side in (0, 1):
                start, end = job["ranges"][side]
                scan(fds[side], side, (start, end), bounds, spill)
        spill.close()
        return {"chunks": spill.chunks}
    if kind == "buckets":
        buckets = [[tuple(chunk) for chunk in bucket] for bucket in job["buckets"]]
        compare_buckets(buckets, sink, compared, job["cap"])
        return {}
    raise ValueError(f"unknown job {kind!r}")


# --- Processes -----------------------------------------------------------------------------------------------------


class _Worker:
    """One ``python -m oci_inventory.diff.shard`` process with its four spool files; jobs go in on stdin, one JSON
    line each, and each answer comes back as one JSON line on stdout."""

    def __init__(self, spills: list[IO[bytes]]) -> None:
        self.files = tuple(tempfile.TemporaryFile() for _ in range(4))  # noqa: SIM115 - closed by close()
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        fds = [f.fileno() for f in self.files]
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "oci_inventory.diff.shard", *map(str, fds)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                pass_fds=[*fds, *(s.fileno() for s in spills)],
            )
        except BaseException:
            for f in (*self.files, self._stderr):
                f.close()
            raise
        self.busy = False
        self.adopted = False

    def send(self, job: dict[str, Any]) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.write(json.dumps(job).encode() + b"\n")
        self._proc.stdin.flush()
        self.busy = True

    def receive(self) -> dict[str, Any]:
        """The answer to the last job; raises :class:`Anomaly` or :class:`OutOfOrder` as the job did."""
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        self.busy = False
        if not line:
            code = self._proc.wait()
            self._stderr.seek(0)
            err = self._stderr.read().decode(errors="replace").strip().splitlines()[-1:]
            raise RuntimeError(f"a diff worker failed (exit {code}): {err[0] if err else ''}")
        reply: dict[str, Any] = json.loads(line)
        status = reply.get("status")
        if status == "anomaly":
            raise Anomaly
        if status == "unsorted":
            raise OutOfOrder
        return reply

    def close(self) -> None:
        """Stop the process if it still runs; close its pipes and the files no spool adopted."""
        reap(self._proc)
        self._stderr.close()
        if not self.adopted:
            for f in self.files:
                f.close()


class _Team:
    """The worker processes of one diff (one per shard but the first, which the main process takes) and the
    spill files every process shares."""

    def __init__(self, shards: int) -> None:
        self.spills: list[IO[bytes]] = []
        self.workers: list[_Worker] = []
        try:
            self.spills = [tempfile.TemporaryFile() for _ in range(shards)]  # noqa: SIM115 - closed by close()
            for _ in range(shards - 1):
                self.workers.append(_Worker(self.spills))
        except BaseException:
            self.close()
            raise

    def ready(self) -> None:
        """Replace each worker still busy with a job nobody waits for any more (it may run long)."""
        for i, worker in enumerate(self.workers):
            if worker.busy:
                worker.close()
                self.workers[i] = _Worker(self.spills)

    def run(self, jobs: list[dict[str, Any]], sink: Sink) -> list[dict[str, Any]]:
        """The last jobs on the workers, one each, the first ones (if any) in this process into ``sink``; the
        answers in order."""
        mine = len(jobs) - len(self.workers)
        for worker, job in zip(self.workers, jobs[mine:], strict=True):
            worker.send(job)
        replies = [run_job(job, sink) for job in jobs[:mine]]
        replies += [worker.receive() for worker in self.workers]
        return replies

    def close(self) -> None:
        for worker in self.workers:
            worker.close()
        for spill in self.spills:
            spill.close()


def _collect(team: _Team, replies: list[dict[str, Any]], tally: Tally) -> None:
    """Add the workers' outcomes to ``tally`` (after the main process's range, if it took one)."""
    for worker, reply in zip(team.workers, replies[len(replies) - len(team.workers) :], strict=True):
        add_counts(tally, reply["counts"])
        for spool, file, count in zip(tally.spools(), worker.files, reply["counts"]["spooled"], strict=True):
            spool.adopt(file, count)
        worker.adopted = True


def _sorted_jobs(
    paths: Sequence[Path], fds: Sequence[int], sizes: Sequence[int], shards: int, keys: list[bytes] | None
) -> list[dict[str, Any]]:
    if not (_head_sorted(fds[0], sizes[0]) and _head_sorted(fds[1], sizes[1])):
        raise OutOfOrder
    plan = plan_sorted(fds, sizes, shards, keys)
    while len(plan) < shards:  # fewer distinct split keys than shards: nothing for the last processes
        plan.append(([(sizes[0], sizes[0]), (sizes[1], sizes[1])], None, None))
    return [
        {
            "job": "sorted",
            "paths": [str(p) for p in paths],
            "ranges": ranges,
            "lo": lo.hex() if lo is not None else None,
            "hi": hi.hex() if hi is not None else None,
        }
        for ranges, lo, hi in plan
    ]


def _scan_jobs(
    team: _Team, paths: Sequence[Path], fds: Sequence[int], sizes: Sequence[int], bounds: list[bytes]
) -> list[dict[str, Any]]:
    """The scan job of every process: its byte range of each file, into its own spill file."""
    shards = len(team.spills)
    spans = [_line_ranges(fd, size, shards) for fd, size in zip(fds, sizes, strict=True)]
    jobs = [
        {
            "job": "scan",
            "paths": [str(p) for p in paths],
            "ranges": [spans[0][i], spans[1][i]],
            "bounds": [k.hex() for k in bounds],
            "spill": team.spills[i].fileno(),
        }
        for i in range(shards)
    ]
    return jobs


def fast_diff(
    paths: Sequence[Path],
    compared: frozenset[str],
    *,
    bucket_bytes: int,
    shards: int | None = None,
    split_keys: list[bytes] | None = None,
) -> Tally:
    """Diff two inventories into a :class:`Tally` over ``shards`` processes (default: :func:`auto_shards`).

    Sorted inputs are split by OCID range (at ``split_keys`` if given); otherwise they are bucket-sorted with
    buckets of about ``bucket_bytes`` (both sides together). Raises :class:`Anomaly` for whatever it does not
    decide (the caller then diffs the exact way)."""
    try:
        handles = [os.open(p, os.O_RDONLY) for p in paths]
    except OSError:
        raise Anomaly from None
    try:
        stats = [os.fstat(fd) for fd in handles]
        if not all(stat.S_ISREG(st.st_mode) for st in stats):
            raise Anomaly  # a pipe or a device: read it once, the exact way
        sizes = [st.st_size for st in stats]
        count = shards or auto_shards(sum(sizes))
        with _gc_paused():
            return _fast_diff(paths, handles, sizes, compared, count, bucket_bytes, split_keys)
    except OSError:
        raise Anomaly from None
    finally:
        for fd in handles:
            os.close(fd)


def _fast_diff(
    paths: Sequence[Path],
    fds: list[int],
    sizes: list[int],
    compared: frozenset[str],
    shards: int,
    bucket_bytes: int,
    split_keys: list[bytes] | None,
) -> Tally:
    """:func:`fast_diff` on open files: the sorted way, else the bucket sort; the workers start first."""
    team = _Team(shards)
    tally = Tally()
    try:
        try:
            jobs = _sorted_jobs(paths, fds, sizes, shards, split_keys)
            compared_list = sorted(compared)
            for job in jobs:
                job["compared"] = compared_list
            replies = team.run(jobs, tally)
        except OutOfOrder:
            team.ready()
            tally.close()
            tally = Tally()
            replies = _bucketed(team, paths, fds, sizes, compared, bucket_bytes, tally)
        _collect(team, replies, tally)
        return tally
    except BaseException:
        tally.close()
        raise
    finally:
        team.close()


def _bucketed(
    team: _Team,
    paths: Sequence[Path],
    fds: Sequence[int],
    sizes: Sequence[int],
    compared: frozenset[str],
    bucket_bytes: int,
    tally: Tally,
) -> list[dict[str, Any]]:
    """The bucket sort: every process scans its byte ranges into buckets, then compares its run of buckets."""
    buckets = max(1, min(_MAX_BUCKETS, -(-sum(sizes) // bucket_bytes)))
    bounds = bucket_bounds(fds, sizes, buckets)
    jobs = _scan_jobs(team, paths, fds, sizes, bounds)
    scans = team.run(jobs, tally)
    by_bucket: list[list[tuple[int, int, int, int]]] = [[] for _ in range(len(bounds) + 1)]
    for spill, reply in zip(team.spills, scans, strict=True):
        fd = spill.fileno()
        for side, bucket, offset, length in reply["chunks"]:
            by_bucket[bucket].append((fd, side, offset, length))
    groups = _groups([sum(c[3] for c in chunks) for chunks in by_bucket], len(team.spills))
    cap = max(3 * bucket_bytes, 16 * 2**20)  # 1.3 times the target at most, as sampled
    compare = [
        {"job": "buckets", "buckets": [by_bucket[b] for b in group], "compared": sorted(compared), "cap": cap}
        for group in groups
    ]
    return team.run(compare, tally)


def _reply(job: dict[str, Any], files: tuple[IO[bytes], IO[bytes], IO[bytes], IO[bytes]]) -> dict[str, Any]:
    tally = Tally(files)
    try:
        reply = run_job(job, tally)
    except Anomaly:
        return {"status": "anomaly"}
    except OutOfOrder:
        return {"status": "unsorted"}
    except OSError:  # the environment (a full disk): the exact path reports it
        return {"status": "anomaly"}
    for spool in tally.spools():
        spool.flush()
    reply["counts"] = tally.counts()
    return reply


def _worker_main(args: list[str]) -> int:
    """``python -m oci_inventory.diff.shard FD FD FD FD``: jobs on stdin, answers on stdout (see :class:`_Worker`);
    the four descriptors are the spool files of added, removed, changed and unchanged."""
    files = tuple(open(int(fd), "r+b", buffering=_IO) for fd in args)  # noqa: SIM115 - the process owns them
    assert len(files) == 4
    out = sys.stdout.buffer
    gc.disable()  # see _gc_paused
    for line in sys.stdin.buffer:
        reply = _reply(json.loads(line), files)
        out.write(json.dumps(reply).encode() + b"\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1:]))
