"""Object Storage (``objectstorage``, ObjectStorageClient): the tenancy's namespace and buckets, addressed by name.

``GET /n`` answers the namespace as a JSON string, one per tenancy (derived from the tenancy OCID).
``GET /n/{namespaceName}/b/{bucketName}`` finds the bucket by (region, name), where the name is the Search
``displayName`` (the SDK URL-encodes it; the router decodes it, so names with spaces, quotes, newlines or unicode
round-trip). A wrong namespace, an unknown name, a deleted or a stale bucket answer 404 ``BucketNotFound``.

OCI bucket names are unique per namespace and region, but the emulated model can give two buckets of one region
the same displayName (names are drawn, and ``mutate`` renames): then the name is served by the live bucket with
the smallest OCID, deterministically.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

from oci_emulator.core.errors import CustomError
from oci_emulator.core.http import Request, Response, json_response
from oci_emulator.core.pagination import Paginator
from oci_emulator.core.routing import Route
from oci_emulator.model.refs import Refs, is_stale, stable
from oci_emulator.model.tenancy import Record, TenancyModel
from oci_emulator.services.resources import GetRow, ModelRef

OBJECT_STORAGE = "objectstorage"

ROWS: tuple[GetRow, ...] = ()


def namespace_of(model: TenancyModel) -> str:
    """The tenancy's Object Storage namespace: 12 lower-case letters and digits, stable per tenancy."""
    digest = hashlib.sha256(f"namespace\x00{model.tenancy_id}".encode()).digest()
    return base64.b32encode(digest).decode("ascii")[:12].lower()


def buckets_by_name(refs: Refs, region: str) -> dict[str, Record]:
    """Live buckets of a region by name; on a duplicate name the smallest OCID wins (``of_type`` is OCID-sorted)."""

    def build() -> dict[str, Record]:
        index: dict[str, Record] = {}
        for bucket in refs.of_type(region, "Bucket"):
            name = bucket.get("displayName")
            if isinstance(name, str):
                index.setdefault(name, bucket)
        return index

    result: dict[str, Record] = refs.model.cached_view(("buckets-by-name", region), build)
    return result


def not_found(namespace: str, name: str) -> CustomError:
    message = (
        f"Either the bucket named '{name}' does not exist in the namespace '{namespace}' or you are not authorized"
    )
    return CustomError(404, "BucketNotFound", message + " to access it")


def bucket(refs: Refs, s: Record, namespace: str) -> Record:
    """The wire ``Bucket``: its own fields, no ``displayName`` or ``lifecycleState`` (a bucket has neither)."""
    rng = refs.rng(s, "bucket")
    return {
        "namespace": namespace,
        "name": s["displayName"],
        "id": s["identifier"],
        "compartmentId": s.get("compartmentId"),
        "metadata": {},
        "createdBy": refs.model.api_user_id,
        "timeCreated": s.get("timeCreated"),
        "etag": hashlib.sha256(f"etag\x00{s['identifier']}".encode()).hexdigest()[:32],
        "publicAccessType": "ObjectRead" if rng.random() < 0.1 else "NoPublicAccess",
        "storageTier": "Archive" if rng.random() < 0.1 else "Standard",
        "objectEventsEnabled": rng.random() < 0.3,
        "freeformTags": s.get("freeformTags") or {},
        "definedTags": s.get("definedTags") or {},
        "kmsKeyId": refs.pick(s, "Key", "kms") if stable("kms", s["identifier"]) % 3 == 0 else None,
        "objectLifecyclePolicyEtag": None,
        "approximateCount": None,
        "approximateSize": None,
        "replicationEnabled": False,
        "isReadOnly": False,
        "versioning": rng.choice(("Enabled", "Disabled", "Disabled")),
        "autoTiering": rng.choice(("Disabled", "InfrequentAccess")),
    }


def get_namespace(model: ModelRef) -> Callable[[Request], Response]:
    def handle(req: Request) -> Response:
        return json_response(namespace_of(model()))

    return handle


def get_bucket(model: ModelRef) -> Callable[[Request], Response]:
    def handle(req: Request) -> Response:
        refs = Refs(model())
        namespace, name = req.params["namespaceName"], req.params["bucketName"]
        if namespace != namespace_of(refs.model):
            raise not_found(namespace, name)
        found = buckets_by_name(refs, req.region).get(name)
        if found is None or is_stale(refs.model, found["identifier"]):
            raise not_found(namespace, name)
        body = bucket(refs, found, namespace)
        return json_response(body, headers={"etag": body["etag"]})

    return handle


def routes(model: ModelRef, paginator: Paginator) -> dict[str, list[Route]]:
    return {
        OBJECT_STORAGE: [
            Route("GET", "/n", "GetNamespace", get_namespace(model)),
            Route("GET", "/n/{namespaceName}/b/{bucketName}", "GetBucket", get_bucket(model)),
        ]
    }
