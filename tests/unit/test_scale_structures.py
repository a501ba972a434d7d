"""The structures that keep a run's memory flat: the compact OCID set, the page spill, de-duplication, and the
per-millisecond clock; and orjson decoding of raw SDK clients."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Any

import oci
import pytest

from oci_inventory.oci.discovery import Deduplicator
from oci_inventory.oci.fastjson import use_orjson
from oci_inventory.util.ocidset import OcidSet
from oci_inventory.util.spill import MemoryBudget, PageSpill
from oci_inventory.util.time import MillisClock, is_canonical_timestamp


def test_ocid_set_grows_and_answers_membership() -> None:
    ocids = [f"ocid1.instance.oc1.iad.{i:030d}" for i in range(5000)]
    members = OcidSet()
    assert all(members.add(o) for o in ocids)
    assert not any(members.add(o) for o in ocids)
    assert len(members) == 5000 and all(o in members for o in ocids)
    assert "ocid1.instance.oc1.iad.other" not in members and 5 not in members
    assert members.nbytes <= 8 * 4 * 5000  # 8-byte slots, at most a quarter... half full after growth


def _items(n: int, start: int = 0) -> list[dict[str, Any]]:
    return [{"identifier": f"ocid1.x.oc1.iad.{i}", "displayName": "é\u2028"} for i in range(start, start + n)]


def test_spill_keeps_order_across_memory_and_disk(tmp_path: Path) -> None:
    budget = MemoryBudget(limit=3000 * 4)  # one page of 3 items in memory; the rest goes to disk
    spill = PageSpill(budget, tmp_path)
    spill.consumer_waiting(True)  # the intake thread waits for the enrichment pool: pages go to disk
    pages = [_items(3, 3 * i) for i in range(6)]
    for i, page in enumerate(pages):
        spill.put("us-ashburn-1", page, relisting=i == 5, nbytes=1000 * len(page))
    assert spill.pages_spilled >= 4 and list(tmp_path.iterdir()) == []  # an unnamed file
    spill.close()
    out = list(spill)
    assert [p.items for p in out] == pages and [p.relisting for p in out] == [False] * 5 + [True]
    assert budget.peak <= 3000 * 4 and budget._used == 0
    spill.release()


def test_spill_consumer_waits_for_producers_and_abort_ends_it(tmp_path: Path) -> None:
    spill = PageSpill(MemoryBudget(limit=10), tmp_path)
    seen: list[int] = []

    def consume() -> None:
        for page in spill:
            seen.append(len(page.items))

    consumer = threading.Thread(target=consume)
    consumer.start()
    spill.put("r", _items(2))
    spill.put("r", _items(1))
    spill.close()
    consumer.join()
    assert seen == [2, 1]
    # over budget while the consumer is busy (not waiting for the pool): the producer waits for room
    busy = PageSpill(MemoryBudget(limit=10), tmp_path)
    busy.put("r", _items(1))
    second = threading.Thread(target=busy.put, args=("r", _items(2)))
    second.start()
    pages = iter(busy)
    assert len(next(pages).items) == 1
    second.join()  # ends only because the first page was taken
    assert busy.pages_spilled == 0
    busy.close()
    assert [len(p.items) for p in pages] == [2]
    aborted = PageSpill(MemoryBudget(limit=10), tmp_path)
    aborted.consumer_waiting(True)
    aborted.put("r", _items(2))
    aborted.put("r", _items(2))
    aborted.abort()
    assert list(aborted) == []


def test_spill_reserve_takes_room_before_the_request_and_gives_back_what_never_came(tmp_path: Path) -> None:
    budget = MemoryBudget(limit=10_000)
    spill = PageSpill(budget, tmp_path)
    spill.put("r", _items(1), nbytes=1000)  # the spill now expects pages of 1000 * 4 budget bytes
    assert budget._used == 4000
    spill.reserve()  # room for the next page, taken before asking for it
    assert budget._used == 8000
    spill.put("r", _items(1), nbytes=500)  # the page came: its real size replaces the reservation, no wait
    assert budget._used == 4000 + 2000
    # the budget is full and the intake thread busy: a chain's reserve waits, holding no page, until one is taken
    budget.take(4000, force=True)
    reserved = threading.Event()

    def chain() -> None:
        spill.reserve()
        reserved.set()

    waiter = threading.Thread(target=chain)
    waiter.start()
    pages = iter(spill)
    assert len(next(pages).items) == 1  # 4000 given back: now there is room for one 2000-byte page
    waiter.join()
    assert reserved.is_set() and budget._used == 2000 + 4000 + 2000
    spill.close()  # the reserved page never came (the chain failed): its room is given back
    assert budget._used == 2000 + 4000
    assert [len(p.items) for p in pages] == [1]
    assert budget._used == 4000
    # while the intake thread waits for the enrichment pool, reserve returns at once and reserves nothing
    waiting = PageSpill(MemoryBudget(limit=1), tmp_path)
    waiting.put("r", _items(1), nbytes=1000)
    waiting.consumer_waiting(True)
    waiting.reserve()
    waiting.put("r", _items(2), nbytes=1000)
    assert waiting.pages_spilled == 1
    waiting.abort()


def test_dedup_regional_per_region_global_across_regions() -> None:
    dedup = Deduplicator(["us-ashburn-1", "eu-frankfurt-1"], "us-ashburn-1")
    user, vcn = "ocid1.user.oc1..aaaa", "ocid1.vcn.oc1.iad.bbbb"
    assert dedup.claim(user, "eu-frankfurt-1") and not dedup.claim(user, "us-ashburn-1")
    assert dedup.claim(vcn, "us-ashburn-1") and not dedup.claim(vcn, "us-ashburn-1")
    assert dedup.duplicates == 2
    # a restarted listing re-reads what its region saw: no duplicates counted
    assert not dedup.claim(vcn, "us-ashburn-1", relisting=True)
    assert not dedup.claim(user, "eu-frankfurt-1", relisting=True)
    assert dedup.duplicates == 2
    assert dedup.region_for(user, "eu-frankfurt-1") == "us-ashburn-1"
    assert dedup.region_for(vcn, "us-ashburn-1") == "us-ashburn-1"


def test_millis_clock_is_canonical_and_moves() -> None:
    clock = MillisClock()
    first = clock.now()
    assert is_canonical_timestamp(first) and re.fullmatch(r"\d{4}-.*\.\d{3}Z", first)
    stamps = {clock.now() for _ in range(20000)}
    assert all(is_canonical_timestamp(s) for s in stamps) and max(stamps) >= first


@pytest.fixture
def raw_base_client(tmp_path: Path) -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "key.pem"
    pem.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    config = {"user": "ocid1.user.oc1..u", "fingerprint": ":".join(["aa"] * 16), "tenancy": "ocid1.tenancy.oc1..t",
              "region": "us-ashburn-1", "key_file": str(pem)}  # fmt: skip
    client = oci.resource_search.ResourceSearchClient(config, skip_deserialization=True)
    use_orjson(client.base_client)
    return client.base_client


def test_orjson_decoding_keeps_the_sdk_semantics(raw_base_client: Any) -> None:
    decode = raw_base_client.deserialize_response_data
    assert decode(b'{"items": [{"a": "\\u2028x"}]}', "ResourceSummaryCollection") == {"items": [{"a": "\u2028x"}]}
    assert decode(b"not json", "object") == "not json"
    assert decode(b'"text"', "str") == "text" and decode(b'{"a": 1}', "str") == '{"a": 1}'
    # strict JSON, as the SDK's default: a raw control character makes the body text; allowed, the SDK decodes it
    assert decode(b'{"a": "x\x01"}', "object") == '{"a": "x\x01"}'
    assert decode(b'{"a": "x\x01"}', "object", allow_control_chars=True) == {"a": "x\x01"}


def test_malloc_is_tuned_on_glibc() -> None:
    import platform

    from oci_inventory.util.memory import tune_malloc

    expected = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
    assert tune_malloc() is expected


def test_relaxed_gc_sets_the_run_thresholds_and_restores_them() -> None:
    import gc

    from oci_inventory.util.memory import RUN_GC_THRESHOLDS, relaxed_gc

    before = gc.get_threshold()
    with pytest.raises(RuntimeError), relaxed_gc():
        assert gc.get_threshold() == RUN_GC_THRESHOLDS
        raise RuntimeError("the run failed")
    assert gc.get_threshold() == before


def test_trim_malloc_hands_freed_memory_back_on_glibc() -> None:
    import platform

    from oci_inventory.util.memory import trim_malloc

    if platform.libc_ver()[0] != "glibc":
        assert trim_malloc() is False
        return

    def rss_kb() -> int:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS"))

    lines = [bytes(1200) + i.to_bytes(4, "big") for i in range(80_000)]  # ~100 MB in glibc's heap, as a sorter holds
    keep = lines[::1000]  # a few survivors scattered through the heap keep it from shrinking by itself
    del lines
    before = rss_kb()
    trim_malloc()
    assert rss_kb() < before - 50_000, "malloc_trim gave less than 50 MB back"
    assert len(keep) == 80


def test_auto_intake_processes_are_one_per_core_at_most_two_and_none_on_one_core() -> None:
    from oci_inventory.intake_processes import AUTO_MAX, auto_processes

    assert [auto_processes(cores) for cores in (1, 2, 3, 8)] == [0, 2, 2, 2] and AUTO_MAX == 2
    assert auto_processes() == auto_processes(len(os.sched_getaffinity(0)))
