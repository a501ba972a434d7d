"""Object Storage enrichers: ``Bucket``, addressed by name in the tenancy's namespace.

A bucket's ``get`` takes the namespace and the bucket *name* (in OCI the bucket name is its Search
``displayName``), not its OCID. The namespace comes from ``get_namespace`` once per run (home region; it is the
same in every region), shared through the run context; the row builds the arguments from it.

A name can outlive its bucket: when a bucket is deleted and another one created with the same name, Search may
still return the old OCID for a while, and the name now reads the new bucket. :class:`BucketEnricher` runs the row
and refuses an answer whose ``id`` is not the OCID Search returned, rather than file one bucket's details under
another's OCID.
"""

from __future__ import annotations

from typing import Any

from oci_inventory.enrich.base import EdgeSpec, EnrichContext, EnrichResult, GetSpec, SpecEnricher, Summary, call_get
from oci_inventory.enrich.registry import REGISTRY
from oci_inventory.enrich.relations import ENCRYPTED_BY

OBJECT_STORAGE = "oci.object_storage.ObjectStorageClient"
NAMESPACE_KEY = ("objectstorage", "namespace")


class NoBucketNameError(ValueError):
    """Search gave a bucket no displayName, and a bucket can only be read by name."""


class BucketReplacedError(ValueError):
    """The bucket's name now reads another bucket (the one Search returned is gone)."""


def namespace(ctx: EnrichContext) -> str:
    """The tenancy's Object Storage namespace, read once per run."""

    def load() -> str:
        value = call_get(ctx, OBJECT_STORAGE, "get_namespace", region=ctx.home_region)
        if not isinstance(value, str) or not value:
            raise ValueError(f"get_namespace answered {type(value).__name__}, not a namespace string")
        return value

    return ctx.run.once(NAMESPACE_KEY, load)


def bucket_args(summary: Summary, ctx: EnrichContext) -> tuple[Any, ...]:
    name = summary.get("displayName")
    if not isinstance(name, str) or not name.strip():
        raise NoBucketNameError("Search returned this bucket without a name (displayName); it cannot be read")
    return (namespace(ctx), name)


BUCKET = GetSpec(
    "Bucket", OBJECT_STORAGE, "get_bucket", args=bucket_args, edges=(EdgeSpec(ENCRYPTED_BY, "kmsKeyId", "Key"),)
)


class BucketEnricher(SpecEnricher):
    """The Bucket row, checked: the bucket the name reads must be the one Search returned."""

    def enrich(self, summary: Summary, ctx: EnrichContext) -> EnrichResult:
        result = super().enrich(summary, ctx)
        answered = result.details.get("id")
        if isinstance(answered, str) and answered != summary["identifier"]:
            raise BucketReplacedError(
                f"the bucket name now reads another bucket ({answered}); the one Search returned is gone"
            )
        return result


REGISTRY.add(BUCKET.resource_type, BucketEnricher(BUCKET))
