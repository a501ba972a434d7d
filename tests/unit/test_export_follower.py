"""``inventory.csv``, ``inventory.parquet`` and the report's figures made by the export process
(export/follower.py): the same files and figures as in process, errors raised in the main process, and never a
process left behind."""

from __future__ import annotations

import dataclasses
import errno
import io
import os
import signal
import subprocess
import sys
import textwrap
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from oci_inventory.export import inventory
from oci_inventory.export.entry import prepared_node, record_entry
from oci_inventory.export.follower import (
    ChildTraceback,
    Derived,
    Follower,
    FollowerError,
    _Abandoned,
    convert,
)
from oci_inventory.export.graph import GraphTail
from oci_inventory.export.inventory import InventoryPaths, write_inventory
from oci_inventory.export.jsonl import dumps_record
from oci_inventory.export.parquet import write_parquet
from oci_inventory.util.errors import ConfigError, environment_error

pq = pytest.importorskip("pyarrow.parquet")

SECRET_VALUE = "value-from-the-inventory-7f3a"


def _record(i: int, **overrides: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "ocid": f"ocid1.instance.oc1..{i:06d}",
        "resourceType": "Instance" if i % 3 else "Vcn",
        "displayName": f"name-{i} ü😀" if i % 7 else None,
        "compartmentId": f"ocid1.compartment.oc1..c{i % 5}",
        "compartmentPath": f"/prod/c{i % 5}" if i % 11 else None,
        "region": "eu-frankfurt-1",
        "lifecycleState": "RUNNING",
        "timeCreated": f"2024-05-01T10:11:{i % 60:02d}.345Z" if i % 13 else None,
        "definedTags": {"Ops": {"owner": f"o{i % 4}"}},
        "freeformTags": {"env": "prod", "n": str(i)} if i % 2 else {},
        "collectedAt": "2024-06-01T00:00:00.001Z",
        "enrichStatus": "OK" if i % 17 else "ERROR",
        "enrichError": None if i % 17 else "NotAuthorizedOrNotFound",
        "details": {"shape": "VM.Standard.E4.Flex", "ids": [f"ocid1.vnic..{i}-{k}" for k in range(i % 6)], "n": i},
        "relationships": [{"relation": "in_compartment", "targetOcid": f"ocid1.compartment.oc1..c{i % 5}"}],
    }
    rec.update(overrides)
    return rec


def _paths(tmp_path: Path, parquet: Path | None) -> InventoryPaths:
    return InventoryPaths(
        jsonl=tmp_path / "inventory.jsonl",
        csv=tmp_path / "inventory.csv",
        graphml=tmp_path / "graph.graphml",
        relationships=tmp_path / "relationships.jsonl",
        parquet=parquet,
    )


def _keyed(records: list[dict[str, Any]]) -> list[tuple[str, bytes]]:
    """The record sorter's ``(OCID, entry)`` pairs: each record's line with its relationship."""
    return [(r["ocid"], record_entry(dumps_record(r), [_edge(r)])) for r in records]


def _edge(r: dict[str, Any]) -> tuple[str, bytes]:
    edge = {"sourceOcid": r["ocid"], "relation": "in_compartment", "targetOcid": r["compartmentId"]}
    return f"{edge['sourceOcid']}\x00{edge['relation']}\x00{edge['targetOcid']}", dumps_record(edge)


@pytest.fixture
def children(monkeypatch: pytest.MonkeyPatch) -> list[Follower]:
    """Every :class:`Follower` started meanwhile."""
    started: list[Follower] = []
    original = Follower.__init__

    def init(self: Follower, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        started.append(self)

    monkeypatch.setattr(Follower, "__init__", init)
    return started


def _gone(pid: int) -> bool:
    """The process ended and was waited for (no orphan, no zombie)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _same_file(a: Path, b: Path) -> None:
    fa, fb = pq.ParquetFile(a), pq.ParquetFile(b)
    assert fa.schema_arrow == fb.schema_arrow
    assert fa.schema_arrow.metadata == fb.schema_arrow.metadata
    assert [fa.metadata.row_group(i).num_rows for i in range(fa.metadata.num_row_groups)] == [
        fb.metadata.row_group(i).num_rows for i in range(fb.metadata.num_row_groups)
    ]
    assert fa.read().equals(fb.read())
    assert a.read_bytes() == b.read_bytes()


def test_write_inventory_writes_the_same_parquet_as_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, children: list[Follower]
) -> None:
    monkeypatch.setattr(inventory, "_NOTICE", 4096)  # many notices, most in the middle of a read
    records = [_record(i) for i in range(3000)]
    written = write_inventory(_paths(tmp_path, tmp_path / "inventory.parquet"), _keyed(records))
    assert written.records == 3000 and written.relationships == 3000
    write_parquet(tmp_path / "in-process.parquet", records)
    _same_file(tmp_path / "inventory.parquet", tmp_path / "in-process.parquet")
    assert [_gone(c.pid) for c in children] == [True]


def test_row_groups_are_the_same_as_in_process(tmp_path: Path) -> None:
    records = [_record(i) for i in range(2500)]
    jsonl = tmp_path / "inventory.jsonl"
    derived = Derived(jsonl, tmp_path / "child.csv", parquet=tmp_path / "child.parquet", batch_size=700)
    with open(jsonl, "wb") as fh, Follower(derived) as child:
        for i, r in enumerate(records):
            fh.write(dumps_record(r) + b"\n")
            if i % 333 == 0:
                fh.flush()
                child.progress(fh.tell())
        fh.close()
        child.finish(jsonl.stat().st_size)
        result = child.wait(2500)
        assert result.rows == 2500 and result.cpu_s > 0  # its own CPU time (the imports alone take some)
        # the run's garbage-collection thresholds (util/memory.py): a dozen of dicts per line parsed, freed at
        # once, make no collection here; the default thresholds made dozens (about 90 when measured)
        assert result.collections <= 2
    write_parquet(tmp_path / "in-process.parquet", records, batch_size=700)
    assert pq.ParquetFile(tmp_path / "child.parquet").metadata.num_row_groups == 4
    _same_file(tmp_path / "child.parquet", tmp_path / "in-process.parquet")


def test_no_records_gives_the_same_empty_file(tmp_path: Path) -> None:
    write_inventory(_paths(tmp_path, tmp_path / "inventory.parquet"), [])
    write_parquet(tmp_path / "in-process.parquet", [])
    _same_file(tmp_path / "inventory.parquet", tmp_path / "in-process.parquet")


#: What one child writes, in process: the CSV or the Parquet file (argv: which, path, RLIMIT_FSIZE or 0).
_IN_PROCESS = """
import resource, sys
from pathlib import Path
import orjson
from oci_inventory.export.csv import write_csv
from oci_inventory.export.parquet import write_parquet
if sys.argv[3] != "0":
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[3]), int(sys.argv[3])))
records = orjson.loads(sys.stdin.buffer.read())
try:
    (write_csv if sys.argv[1] == "csv" else write_parquet)(Path(sys.argv[2]), records)
except OSError as exc:
    print(type(exc).__name__, exc.errno, exc.strerror)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prlimit and /dev/full are Linux")
@pytest.mark.parametrize("which", ["csv", "parquet"])
@pytest.mark.parametrize("case", ["disk full", "file size limit"])
def test_an_oserror_in_the_child_is_the_same_oserror_as_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, children: list[Follower], case: str, which: str
) -> None:
    import resource

    if case == "disk full":
        if not os.path.exists("/dev/full"):
            pytest.skip("needs /dev/full")
        target, limit, code = Path("/dev/full"), 0, errno.ENOSPC
    else:  # RLIMIT_FSIZE on the child alone, before it can write more than the file's magic number
        target, limit, code = tmp_path / f"inventory.{which}", 2000, errno.EFBIG
        started = Follower.__init__

        def init(self: Follower, *args: Any, **kwargs: Any) -> None:
            started(self, *args, **kwargs)
            if f"inventory.{which}" in self.writes:  # the child writing the target
                resource.prlimit(self.pid, resource.RLIMIT_FSIZE, (limit, limit))

        monkeypatch.setattr(Follower, "__init__", init)
    records = [_record(i) for i in range(50)]
    paths = _paths(tmp_path, target if which == "parquet" else None)
    if which == "csv":
        paths = dataclasses.replace(paths, csv=target)
    with pytest.raises(OSError) as caught:
        write_inventory(paths, _keyed(records), follow=which == "csv")
    exc = caught.value
    in_process = subprocess.run(
        [sys.executable, "-c", _IN_PROCESS, which, str(tmp_path / f"in-process.{which}" if limit else target),
         str(limit)],
        input=orjson.dumps(records), capture_output=True, text=False, check=True,
    ).stdout.decode().strip()  # fmt: skip
    assert in_process.split(maxsplit=2) == ["OSError", str(code), exc.strerror]
    assert type(exc) is OSError and exc.errno == code
    converted = environment_error(exc, tmp_path)  # what the run directory makes of it: exit 2 naming --outdir
    assert isinstance(converted, ConfigError) and errno.errorcode[code] in converted.user_line()
    assert isinstance(exc.__cause__, ChildTraceback) and "Traceback" in str(exc.__cause__)
    assert f"inventory.{which}" in str(exc.__cause__)
    assert [_gone(c.pid) for c in children] == [True]


@pytest.mark.parametrize("when", ["at the end", "during the pass"])
def test_an_exception_in_the_child_is_a_clear_error_without_the_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, children: list[Follower], when: str
) -> None:
    if when == "during the pass" and not hasattr(os, "waitid"):
        pytest.skip("needs os.waitid")
    monkeypatch.setattr(inventory, "_NOTICE", 4096)
    records = [_record(i) for i in range(21 if when == "at the end" else 3000)]
    records[0]["timeCreated"] = SECRET_VALUE  # Arrow cannot cast it; parse_iso_z raises ValueError

    def lines() -> Iterator[tuple[str, bytes]]:
        for i, record in enumerate(records):
            if i == 1100 and when == "during the pass":  # the child has its first 1,000 rows: it fails, and ends
                os.waitid(os.P_PID, children[0].pid, os.WEXITED | os.WNOWAIT)
            yield record["ocid"], dumps_record(record)

    with pytest.raises(FollowerError) as caught:
        write_inventory(_paths(tmp_path, tmp_path / "inventory.parquet"), lines())
    exc = caught.value
    assert ("wait" in [f.name for f in traceback.extract_tb(exc.__traceback__)]) == (when == "at the end")
    assert "ValueError" in exc.user_line() and "--debug" in exc.user_line()
    assert SECRET_VALUE not in exc.user_line() and "Traceback" not in exc.user_line()
    debug = "".join(traceback.format_exception(exc))  # what --debug prints: the child's traceback as the cause
    assert "Traceback" in debug and "parse_iso_z" in debug
    assert [_gone(c.pid) for c in children] == [True]


@pytest.mark.parametrize("follow", [False, True])
def test_a_killed_child_is_an_error_in_the_main_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, children: list[Follower], follow: bool
) -> None:
    monkeypatch.setattr(inventory, "_NOTICE", 1024)

    def lines() -> Iterator[tuple[str, bytes]]:
        for i in range(200):
            if i == 50:
                os.kill(children[0].pid, signal.SIGKILL)
            yield f"ocid1.instance.oc1..{i:06d}", dumps_record(_record(i))

    killed = "inventory.csv" if follow else "inventory.parquet"  # the first child started
    with pytest.raises(FollowerError, match=f"writing {killed} failed .*killed by SIGKILL"):
        write_inventory(_paths(tmp_path, tmp_path / "inventory.parquet"), lines(), follow=follow)
    assert [_gone(c.pid) for c in children] == [True] * (2 if follow else 1)


@pytest.mark.parametrize("follow", [False, True])
@pytest.mark.parametrize("stop", [KeyboardInterrupt, RuntimeError])
def test_an_input_that_stops_early_leaves_no_child(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    children: list[Follower],
    stop: type[BaseException],
    follow: bool,
) -> None:
    monkeypatch.setattr(inventory, "_NOTICE", 1024)

    def lines() -> Iterator[tuple[str, bytes]]:
        for i in range(100):
            yield f"ocid1.instance.oc1..{i:06d}", dumps_record(_record(i))
        raise stop  # Ctrl-C in the main process, or the sorter failing, in the middle of the export

    with pytest.raises(stop):
        write_inventory(_paths(tmp_path, tmp_path / "inventory.parquet"), lines(), follow=follow)
    assert [_gone(c.pid) for c in children] == [True] * (2 if follow else 1)


@pytest.mark.parametrize("follow", [False, True])
def test_a_failure_in_the_main_pass_leaves_no_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, children: list[Follower], follow: bool
) -> None:
    monkeypatch.setattr(inventory, "_NOTICE", 1024)
    edges = 0

    def edge_line(self: object, key: str, line: bytes) -> None:  # the disk fills while the edges are written
        nonlocal edges
        edges += 1
        if edges == 60:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(GraphTail, "edge_line", edge_line)
    records = [_record(i) for i in range(200)]
    paths = _paths(tmp_path, tmp_path / "inventory.parquet")
    with pytest.raises(OSError):
        write_inventory(paths, _keyed(records), follow=follow)
    assert [_gone(c.pid) for c in children] == [True] * (2 if follow else 1)
    aside = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tail")]
    assert aside == []  # the edges kept aside (the graph's tail) are removed


def test_the_child_stops_when_the_notices_end_before_done(tmp_path: Path) -> None:
    jsonl = tmp_path / "inventory.jsonl"
    jsonl.write_bytes(b"".join(dumps_record(_record(i)) + b"\n" for i in range(10)))
    with pytest.raises(_Abandoned):
        convert(Derived(jsonl, tmp_path / "x.csv"), io.BytesIO(b"%d\n" % jsonl.stat().st_size))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only")
def test_a_child_dies_with_its_parent_killed_by_sigkill(tmp_path: Path) -> None:
    """A process (the 'reaper', a child subreaper) starts a 'parent' that starts a Follower, kills the parent
    with SIGKILL, and waits for the orphaned child, which the kernel gives to the reaper: it must end by SIGKILL
    (its death signal), not by noticing its stdin closed (exit 3)."""
    parent = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from oci_inventory.export.follower import Derived, Follower
        child = Follower(Derived(Path({str(tmp_path / "x.jsonl")!r}), Path({str(tmp_path / "x.csv")!r})))
        child._proc.stdout.readline()  # ready: its death signal is set
        print(child.pid, flush=True)
        sys.stdin.read()  # until killed
        """
    )
    reaper = textwrap.dedent(
        f"""
        import ctypes, os, signal, subprocess, sys
        ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
        parent = subprocess.Popen([sys.executable, "-c", {parent!r}], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        child = int(parent.stdout.readline())
        parent.kill()
        parent.wait()
        _, status = os.waitpid(child, 0)
        print(os.WIFSIGNALED(status) and signal.Signals(os.WTERMSIG(status)).name or os.WEXITSTATUS(status))
        """
    )
    out = subprocess.run([sys.executable, "-c", reaper], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "SIGKILL", out.stderr


@pytest.mark.parametrize("csv_raw", [False, True])
def test_the_export_process_writes_the_csv_and_figures_the_main_process_would(tmp_path: Path, csv_raw: bool) -> None:
    """The CSV written by the export process gives the in-process file byte for byte (hostile cells included), and
    its scan gives the report the digest it builds by reading inventory.jsonl; the GraphML nodes the records' builders
    made (``prepared_node``, every other entry here) give the nodes made from the lines."""
    from oci_inventory.report.digest import build_digest, scan_inventory

    hostile = ["=HYPERLINK(1)", 'a,b "q"', "line\nbreak", "\x00\x07 ctl", "\u2028", "ü😀", "-1", "@x"]
    records = [
        _record(i, displayName=hostile[i % len(hostile)], freeformTags={"api_key": f"k{i}" * 13 + "9"} if i % 4 == 0
                else {}, **({"resourceType": "Bucket", "details": {"namespace": f"ns{i % 4}"}} if i % 9 == 0 else {}))
        for i in range(400)
    ]  # fmt: skip
    prepared = [
        (ocid, record_entry(dumps_record(r), [_edge(r)], prepared_node(r) if i % 2 else None))
        for i, (r, (ocid, _)) in enumerate(zip(records, _keyed(records), strict=True))
    ]
    written = {}
    for follow in (False, True):
        directory = tmp_path / str(follow)
        directory.mkdir()
        written[follow] = write_inventory(_paths(directory, None), _keyed(records), csv_raw=csv_raw, follow=follow)
    (tmp_path / "prepared").mkdir()
    write_inventory(_paths(tmp_path / "prepared", None), prepared, csv_raw=csv_raw, follow=True)
    graph = (tmp_path / "False" / "graph.graphml").read_bytes()
    assert (tmp_path / "prepared" / "graph.graphml").read_bytes() == graph and graph.count(b"<node ") > 400
    for name in ("inventory.csv", "graph.graphml", "inventory.jsonl", "relationships.jsonl"):
        assert (tmp_path / "False" / name).read_bytes() == (tmp_path / "True" / name).read_bytes(), name
    assert written[False].graph == written[True].graph
    assert not (tmp_path / "True" / "inventory.parquet").exists()
    scan = written[True].scan
    assert written[False].scan is None and scan is not None
    assert scan.as_json() == scan_inventory(tmp_path / "True").as_json()
    assert scan.sensitive.namespaces == {"ns0", "ns1", "ns2", "ns3"} and len(scan.sensitive.secret_values) == 100
    summary = {"total_discovered": 400, "tenancy_name": "t"}
    assert build_digest(tmp_path / "True", summary, scan=scan) == build_digest(tmp_path / "True", summary)


@pytest.mark.parametrize("follow", [False, True])
def test_without_a_graph_the_other_files_are_the_same_and_the_csv_process_makes_the_figures(
    tmp_path: Path, follow: bool
) -> None:
    """``--no-graph``: no graph.graphml (nor its tail), the same JSONL, CSV, relationships and Parquet as a run
    with a graph, and, handed to export processes, the CSV one makes the report's figures (only two processes)."""
    from oci_inventory.report.digest import scan_inventory

    records = [_record(i, freeformTags={"api_key": f"k{i}" * 13 + "9"} if i % 4 == 0 else {}) for i in range(300)]
    written = {}
    for graph in (True, False):
        directory = tmp_path / str(graph)
        directory.mkdir()
        paths = _paths(directory, directory / "inventory.parquet")
        if not graph:
            paths = dataclasses.replace(paths, graphml=None)
        written[graph] = write_inventory(paths, _keyed(records), follow=follow)
    for name in ("inventory.csv", "inventory.jsonl", "relationships.jsonl"):
        assert (tmp_path / "True" / name).read_bytes() == (tmp_path / "False" / name).read_bytes(), name
    with_graph, without = (pq.read_table(tmp_path / str(g) / "inventory.parquet") for g in (True, False))
    assert without.equals(with_graph) and without.num_rows == 300
    assert sorted(p.name for p in (tmp_path / "False").iterdir()) == [
        "inventory.csv", "inventory.jsonl", "inventory.parquet", "relationships.jsonl"
    ]  # fmt: skip
    assert written[False].graph is None and written[True].graph is not None
    assert (written[False].records, written[False].relationships) == (300, written[True].relationships)
    if follow:
        scan = written[False].scan
        assert scan is not None and scan.as_json() == scan_inventory(tmp_path / "False").as_json()
        assert len(scan.sensitive.secret_values) == 75
    else:
        assert written[False].scan is None  # the report reads inventory.jsonl
