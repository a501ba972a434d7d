"""The Bucket enricher against the emulator: the namespace once per run, the bucket read by its (hazardous) name."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.enrich.conftest import DeepRun, edges_of
from tests.integration.helpers import records, run_dir

HAZARDOUS = 'q "x"\n\tü 🚀 a,b %2F?#&=+; 日本'


def bucket_body(emu: Any, ocid: str) -> dict[str, Any]:
    from oci_emulator.model.refs import Refs
    from oci_emulator.services.resources.objectstorage import bucket, namespace_of

    refs = Refs(emu.model)
    summary = refs.get(ocid)
    assert summary is not None
    return bucket(refs, summary, namespace_of(emu.model))


def test_named_buckets_end_ok_with_the_wire_bucket_and_their_kms_keys_resolve(deep_run: DeepRun) -> None:
    from oci_emulator.services.resources.objectstorage import namespace_of

    buckets = deep_run.of_type("Bucket")
    assert len(buckets) > 20
    encrypted = 0
    for record in buckets:
        if record["displayName"] is None:
            assert record["enrichStatus"] == "ERROR"
            assert "NoBucketNameError" in record["enrichError"]
            continue
        assert record["enrichStatus"] == "OK", record["enrichError"]
        details = {k: v for k, v in record["details"].items() if k != "searchSummary"}
        assert details == bucket_body(deep_run.emu, record["ocid"])
        assert details["name"] == record["displayName"]
        assert details["namespace"] == namespace_of(deep_run.emu.model)
        targets = edges_of(record, "ENCRYPTED_BY")
        assert targets == ([details["kmsKeyId"]] if details["kmsKeyId"] else [])
        for target in targets:
            assert deep_run.records[target]["resourceType"] == "Key"
        encrypted += len(targets)
    assert encrypted > 0


def rename(emu: Any, names: dict[str, str | None]) -> None:
    """Give buckets new Search names (records are replaced, never edited in place)."""
    emu.model.resources = [
        {**r, "displayName": names[r["identifier"]]} if r["identifier"] in names else r for r in emu.model.resources
    ]
    emu.model.touch()


def readable_buckets(emu: Any, count: int) -> list[str]:
    """OCIDs of ``count`` live, non-stale buckets of one region, in OCID order."""
    from oci_emulator.model.refs import Refs, is_stale

    refs = Refs(emu.model)
    for region in emu.model.regions:
        found = [b["identifier"] for b in refs.of_type(region, "Bucket") if not is_stale(emu.model, b["identifier"])]
        if len(found) >= count:
            return found[:count]
    raise AssertionError("no region has enough buckets")


def test_buckets_are_read_by_name_hazardous_names_included_with_the_namespace_read_once(
    tenancy: Any, cli: Any, tmp_path: Path
) -> None:
    emu = tenancy.emu
    hazardous, nameless, twin, replaced = readable_buckets(emu, 4)
    rename(emu, {hazardous: HAZARDOUS, nameless: None, twin: "twin", replaced: "twin"})
    emu.journal.clear()
    result = cli(
        "run", *tenancy.args, "--outdir", str(tmp_path / "out"), "--quiet", "--query", "query Bucket resources"
    )
    assert result.code in (0, 4), result.err
    by_ocid = {r["ocid"]: r for r in records(run_dir(result.out))}

    assert by_ocid[hazardous]["enrichStatus"] == "OK", by_ocid[hazardous]["enrichError"]
    assert by_ocid[hazardous]["details"]["name"] == HAZARDOUS
    assert by_ocid[twin]["enrichStatus"] == "OK"  # the smallest OCID holds a duplicated name
    assert by_ocid[replaced]["enrichStatus"] == "ERROR"
    assert "BucketReplacedError" in by_ocid[replaced]["enrichError"] and twin in by_ocid[replaced]["enrichError"]
    assert by_ocid[nameless]["enrichStatus"] == "ERROR"
    assert "NoBucketNameError" in by_ocid[nameless]["enrichError"]

    entries = emu.journal.entries()
    operations = Counter(e.operation for e in entries if e.service == "objectstorage")
    named = sum(1 for r in by_ocid.values() if r["resourceType"] == "Bucket" and r["displayName"])
    assert operations == {"GetNamespace": 1, "GetBucket": named}
    assert {e.method for e in entries} <= {"GET", "POST"}
    assert all(e.operation == "SearchResources" for e in entries if e.method == "POST")
    sent = [e.path for e in entries if e.operation == "GetBucket" and "%F0%9F%9A%80" in e.path]
    assert len(sent) == 1 and "%0A" in sent[0] and "%22" in sent[0] and "%252F" in sent[0]


@pytest.fixture
def object_storage(shared_tenancy: Any) -> Any:
    import oci

    emu = shared_tenancy.emu
    region = emu.model.regions[0]
    config = oci.config.from_file(str(shared_tenancy.config_file))
    return oci.object_storage.ObjectStorageClient(
        config,
        service_endpoint=emu.endpoint("objectstorage", region),
        retry_strategy=oci.retry.NoneRetryStrategy(),
        circuit_breaker_strategy=oci.circuit_breaker.NoCircuitBreakerStrategy(),
    )


def test_the_namespace_is_one_json_string_and_a_wrong_namespace_is_404(
    shared_tenancy: Any, object_storage: Any
) -> None:
    import oci

    from oci_emulator.model.refs import Refs
    from oci_emulator.services.resources.objectstorage import namespace_of

    emu = shared_tenancy.emu
    namespace = object_storage.get_namespace().data
    assert namespace == namespace_of(emu.model) and namespace.isalnum()
    name = next(b["displayName"] for b in Refs(emu.model).of_type(emu.model.regions[0], "Bucket") if b["displayName"])
    assert object_storage.get_bucket(namespace, name).data.name == name
    for wrong_namespace, wrong_name in ((namespace + "x", name), (namespace, name + "-missing")):
        with pytest.raises(oci.exceptions.ServiceError) as caught:
            object_storage.get_bucket(wrong_namespace, wrong_name)
        assert (caught.value.status, caught.value.code) == (404, "BucketNotFound")
