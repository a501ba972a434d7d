from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest

from oci_inventory.export.sorter import ExternalSorter


def _spill_dirs(tmp_path: Path) -> list[Path]:
    return list(tmp_path.glob("oci-inv-sort-*"))


def test_in_memory_order_and_ties() -> None:
    with ExternalSorter() as sorter:
        sorter.add("b", b"2")
        sorter.add("a", b"z")
        sorter.add("a", b"y")
        sorter.add("c", b"0")
        assert list(sorter) == [b"y", b"z", b"2", b"0"]
        assert sorter.spilled_runs == 0
        assert len(sorter) == 4


def test_spills_with_tiny_budget_and_merges_in_order(tmp_path: Path) -> None:
    rng = random.Random(7)
    items = [(f"ocid1.x..{rng.randrange(10_000):05d}", f"line-{i}".encode()) for i in range(5_000)]
    sorter = ExternalSorter(max_bytes_in_memory=2_000, tmp_dir=tmp_path)
    for key, line in items:
        sorter.add(key, line)
    assert sorter.spilled_runs > 10
    assert _spill_dirs(tmp_path), "runs must be on disk"
    assert list(sorter.sorted_lines()) == [line for _k, line in sorted(items)]
    sorter.close()
    assert _spill_dirs(tmp_path) == []


def test_output_independent_of_add_order(tmp_path: Path) -> None:
    items = [(f"k{i % 37}", f"v{i}".encode()) for i in range(2_000)]
    outputs = []
    for seed in (1, 2):
        shuffled = items[:]
        random.Random(seed).shuffle(shuffled)
        with ExternalSorter(max_bytes_in_memory=3_000, tmp_dir=tmp_path) as sorter:
            for key, line in shuffled:
                sorter.add(key, line)
            outputs.append(b"\n".join(sorter))
    assert outputs[0] == outputs[1]


def test_lines_with_newlines_and_binary_survive_spill(tmp_path: Path) -> None:
    lines = [b"a\nb", b"\x00\xff", "ü😀".encode(), b""]
    with ExternalSorter(max_bytes_in_memory=1, tmp_dir=tmp_path) as sorter:
        for i, line in enumerate(lines):
            sorter.add(f"k{i}", line)
        assert list(sorter) == lines


def test_concurrent_adds(tmp_path: Path) -> None:
    with ExternalSorter(max_bytes_in_memory=10_000, tmp_dir=tmp_path) as sorter:

        def worker(offset: int) -> None:
            for i in range(1_000):
                sorter.add(f"{offset + i * 8:06d}", b"%d" % (offset + i * 8))

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert [int(x) for x in sorter] == list(range(8_000))


def test_close_cleans_up_even_mid_iteration(tmp_path: Path) -> None:
    sorter = ExternalSorter(max_bytes_in_memory=500, tmp_dir=tmp_path)
    for i in range(200):
        sorter.add(f"{i:04d}", b"x" * 20)
    it = iter(sorter)
    assert next(it) == b"x" * 20
    sorter.close()
    assert _spill_dirs(tmp_path) == []
    with pytest.raises(RuntimeError):
        sorter.add("k", b"v")


def test_memory_held_is_close_to_the_budgeted_bytes() -> None:
    """orjson returns bytes with ~8 KiB of spare capacity; the entries a run puts in the sorter
    (``entry.record_entry``, which the sorter keeps as given) must not keep that slack alive."""
    import tracemalloc

    import orjson

    from oci_inventory.export.entry import record_entry

    def record(i: int) -> dict[str, str]:
        return {"ocid": f"ocid1.x.oc1..{i:06d}", "pad": "x" * 1000}

    payload = sum(len(orjson.dumps(record(i))) for i in range(2000))
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        sorter = ExternalSorter(max_bytes_in_memory=64 * 2**20)
        for i in range(2000):
            sorter.add(f"k{i:06d}", record_entry(orjson.dumps(record(i))))
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held < 1.5 * payload, f"{held} bytes held for {payload} bytes of lines"
    assert len(list(sorter.sorted_lines())) == 2000
    sorter.close()
