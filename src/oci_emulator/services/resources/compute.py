"""Compute (``iaas``, ComputeClient and ComputeManagementClient): instances, images, pools, dedicated VM hosts.

The attachment listings (VNIC, boot volume and volume attachments) live in ``compute_attachments.py``.

One instance in twenty answers with a field the SDK model does not know (``futureFeature``) and a ``launchMode``
the SDK enum does not know (``QUANTUM``): a client that keeps the raw wire JSON keeps both.
"""

from __future__ import annotations

from collections.abc import Callable

from oci_emulator.core.pagination import Paginator
from oci_emulator.core.routing import Route
from oci_emulator.model.refs import Refs, stable
from oci_emulator.model.tenancy import Record, region_of
from oci_emulator.services.resources import GetRow, ModelRef
from oci_emulator.services.resources.compute_attachments import BOOT_VOLUMES, attached, attachment_routes

IAAS = "iaas"
BASE = "/20160918"

#: (shape, ocpus, memoryInGBs, networkingBandwidthInGbps, maxVnicAttachments)
SHAPES = (
    ("VM.Standard.E4.Flex", 2, 32, 2.0, 2),
    ("VM.Standard.E5.Flex", 4, 64, 4.0, 4),
    ("VM.Standard3.Flex", 1, 16, 1.0, 2),
    ("VM.Standard2.1", 1, 15, 1.0, 2),
    ("BM.Standard3.64", 64, 1024, 100.0, 256),
)


def has_future_fields(summary: Record) -> bool:
    """One instance in 20 answers with a field and an enum value newer than the SDK."""
    return stable("future", summary["identifier"]) % 20 == 0


def same_ad(summary: Record) -> Callable[[Record], bool]:
    ad = summary.get("availabilityDomain")
    return lambda r: r.get("availabilityDomain") == ad


def boot_volume_image(refs: Refs, boot_volume_id: str) -> str | None:
    """The image a boot volume was made from: chosen by its OCID alone and remembered, so the boot volume and
    the instance it boots answer the same, even after one of them is removed."""
    return refs.pick({"identifier": boot_volume_id}, "Image", "boot-image")


def instance_image(refs: Refs, s: Record) -> str | None:
    """The image of the instance's boot volume; an image of the region for an instance without one."""
    boot = attached(refs, BOOT_VOLUMES, s)
    return boot_volume_image(refs, boot[0]) if boot else refs.pick(s, "Image", "image")


def dedicated_host(refs: Refs, s: Record) -> str | None:
    """One instance in eight runs on a dedicated VM host of its AD."""
    if stable("host", s["identifier"]) % 8:
        return None
    return refs.pick(s, "DedicatedVmHost", "host", where=same_ad(s))


# ----------------------------------------------------------------------------------------------- get bodies
def instance(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "instance")
    shape, ocpus, memory, bandwidth, max_vnics = rng.choice(SHAPES)
    image = instance_image(refs, s)
    body: Record = {
        "availabilityDomain": s.get("availabilityDomain"),
        "faultDomain": f"FAULT-DOMAIN-{rng.randint(1, 3)}",
        "region": region_of(s["identifier"]),
        "shape": shape,
        "shapeConfig": {
            "ocpus": float(ocpus),
            "vcpus": ocpus * 2,
            "memoryInGBs": float(memory),
            "processorDescription": "2.55 GHz AMD EPYC™ 7J13 (Milan)",
            "networkingBandwidthInGbps": bandwidth,
            "maxVnicAttachments": max_vnics,
            "gpus": 0,
            "localDisks": 0,
        },
        "imageId": image,
        "sourceDetails": {"sourceType": "image", "imageId": image, "bootVolumeSizeInGBs": rng.choice((50, 100, 200))},
        "launchMode": "PARAVIRTUALIZED",
        "launchOptions": {
            "bootVolumeType": "PARAVIRTUALIZED",
            "firmware": "UEFI_64",
            "networkType": "PARAVIRTUALIZED",
            "remoteDataVolumeType": "PARAVIRTUALIZED",
            "isPvEncryptionInTransitEnabled": False,
            "isConsistentVolumeNamingEnabled": True,
        },
        "instanceOptions": {"areLegacyImdsEndpointsDisabled": True},
        "availabilityConfig": {"isLiveMigrationPreferred": None, "recoveryAction": "RESTORE_INSTANCE"},
        "agentConfig": {"isMonitoringDisabled": False, "isManagementDisabled": False, "areAllPluginsDisabled": False},
        "dedicatedVmHostId": dedicated_host(refs, s),
        "capacityReservationId": None,
        "metadata": {"hostclass": rng.choice(("web", "app", "batch", "db"))},
        "extendedMetadata": {},
        "systemTags": s.get("systemTags") or {},
        "timeMaintenanceRebootDue": None,
    }
    if has_future_fields(s):
        body["launchMode"] = "QUANTUM"
        body["futureFeature"] = {"enabled": True}
    return body


def image(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "image")
    system, version = rng.choice((("Oracle Linux", "8"), ("Oracle Linux", "9"), ("Canonical Ubuntu", "22.04")))
    return {
        "baseImageId": None,
        "createImageAllowed": True,
        "launchMode": "NATIVE",
        "operatingSystem": system,
        "operatingSystemVersion": version,
        "listingType": "NONE",
        "sizeInMBs": rng.choice((47694, 51200, 102400)),
        "billableSizeInGBs": rng.randint(1, 9),
        "agentFeatures": {"isMonitoringSupported": True, "isManagementSupported": True},
    }


def instance_configuration(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "instance-configuration")
    shape, ocpus, memory, _, _ = rng.choice(SHAPES[:3])
    source: Record = {"sourceType": "image", "imageId": refs.pick(s, "Image", "configuration-image")}
    return {
        "instanceDetails": {
            "instanceType": "compute",
            "launchDetails": {
                "compartmentId": s.get("compartmentId"),
                "shape": shape,
                "shapeConfig": {"ocpus": float(ocpus), "memoryInGBs": float(memory)},
                "sourceDetails": source,
                "createVnicDetails": {"assignPublicIp": False},
            },
            "blockVolumes": [],
            "secondaryVnics": [],
        },
        "deferredFields": [],
    }


def instance_pool(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "instance-pool")
    size = rng.randint(1, 6)
    return {
        "instanceConfigurationId": refs.pick(s, "InstanceConfiguration", "pool-configuration"),
        "placementConfigurations": [],
        "size": size,
        "currentSize": size,
        "loadBalancers": [],
        "instanceDisplayNameFormatter": None,
        "instanceHostnameFormatter": None,
    }


def dedicated_vm_host(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "dedicated-vm-host")
    used = rng.randint(0, 64)
    return {
        "availabilityDomain": s.get("availabilityDomain"),
        "dedicatedVmHostShape": "DVH.Standard.E4.128",
        "faultDomain": f"FAULT-DOMAIN-{rng.randint(1, 3)}",
        "totalOcpus": 128.0,
        "remainingOcpus": float(128 - used),
        "totalMemoryInGBs": 2048.0,
        "remainingMemoryInGBs": float(2048 - used * 16),
        "isMemoryEncryptionEnabled": False,
        "capacityConfig": None,
    }


ROWS = (
    GetRow("Instance", IAAS, f"{BASE}/instances/{{instanceId}}", "GetInstance", instance),
    GetRow("Image", IAAS, f"{BASE}/images/{{imageId}}", "GetImage", image),
    GetRow("InstancePool", IAAS, f"{BASE}/instancePools/{{instancePoolId}}", "GetInstancePool", instance_pool),
    GetRow(
        "InstanceConfiguration",
        IAAS,
        f"{BASE}/instanceConfigurations/{{instanceConfigurationId}}",
        "GetInstanceConfiguration",
        instance_configuration,
    ),
    GetRow(
        "DedicatedVmHost",
        IAAS,
        f"{BASE}/dedicatedVmHosts/{{dedicatedVmHostId}}",
        "GetDedicatedVmHost",
        dedicated_vm_host,
    ),
)


def routes(model: ModelRef, paginator: Paginator) -> dict[str, list[Route]]:
    """The attachment listings (paged, filtered like OCI): see ``compute_attachments.py``."""
    return {IAAS: attachment_routes(model, paginator)}
