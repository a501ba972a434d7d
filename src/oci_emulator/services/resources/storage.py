"""Block storage (``iaas``, BlockstorageClient): volumes, boot volumes, their backups and volume groups.

References agree with the compute answers: an instance's image is the one its boot volume was made from, and a
volume's ``volumeGroupId`` is the group whose ``volumeIds`` list it (membership is assigned like attachments, see
``compute_attachments.py``: one group at most per volume, in the same AD). One volume in three, and one boot
volume in four, is encrypted with a customer-managed KMS key of the region.
"""

from __future__ import annotations

from oci_emulator.model.refs import Refs, stable
from oci_emulator.model.tenancy import Record
from oci_emulator.services.resources import GetRow
from oci_emulator.services.resources.compute import boot_volume_image
from oci_emulator.services.resources.compute_attachments import Policy, attached, owner_of

IAAS = "iaas"
BASE = "/20160918"

GROUPED_VOLUMES = Policy("VolumeGroup", "Volume", wanted=lambda r: stable("group", r["identifier"]) % 3 == 0)
GROUPED_BOOT_VOLUMES = Policy("VolumeGroup", "BootVolume", wanted=lambda r: stable("group", r["identifier"]) % 5 == 0)


def kms_key(refs: Refs, s: Record, one_in: int) -> str | None:
    """A customer-managed key of the region for one resource in ``one_in`` (else Oracle-managed: None)."""
    if stable("kms", s["identifier"]) % one_in:
        return None
    return refs.pick(s, "Key", "kms")


def sizes(refs: Refs, s: Record, salt: str) -> Record:
    gigabytes = refs.rng(s, salt).choice((50, 100, 256, 512, 1024))
    return {"sizeInGBs": gigabytes, "sizeInMBs": gigabytes * 1024}


def volume(refs: Refs, s: Record) -> Record:
    return {
        "availabilityDomain": s.get("availabilityDomain"),
        **sizes(refs, s, "volume"),
        "vpusPerGB": refs.rng(s, "vpus").choice((0, 10, 20)),
        "isHydrated": True,
        "kmsKeyId": kms_key(refs, s, 3),
        "sourceDetails": None,
        "volumeGroupId": owner_of(refs, GROUPED_VOLUMES, s),
        "isAutoTuneEnabled": False,
        "autoTunedVpusPerGB": None,
        "autotunePolicies": [],
        "blockVolumeReplicas": [],
        "isReservationsEnabled": False,
        "systemTags": s.get("systemTags") or {},
    }


def boot_volume(refs: Refs, s: Record) -> Record:
    return {
        "availabilityDomain": s.get("availabilityDomain"),
        **sizes(refs, s, "boot-volume"),
        "imageId": boot_volume_image(refs, s["identifier"]),
        "vpusPerGB": 10,
        "isHydrated": True,
        "kmsKeyId": kms_key(refs, s, 4),
        "sourceDetails": None,
        "volumeGroupId": owner_of(refs, GROUPED_BOOT_VOLUMES, s),
        "isAutoTuneEnabled": False,
        "autoTunedVpusPerGB": None,
        "autotunePolicies": [],
        "bootVolumeReplicas": [],
        "systemTags": s.get("systemTags") or {},
    }


def backup_fields(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "backup")
    gigabytes = rng.choice((50, 100, 256))
    return {
        "sizeInGBs": gigabytes,
        "uniqueSizeInGBs": rng.randint(1, gigabytes),
        "sourceType": rng.choice(("MANUAL", "SCHEDULED")),
        "type": rng.choice(("FULL", "INCREMENTAL")),
        "expirationTime": None,
        "timeRequestReceived": s.get("timeCreated"),
        "kmsKeyId": None,
        "volumeGroupBackupId": None,
        "systemTags": s.get("systemTags") or {},
    }


def volume_backup(refs: Refs, s: Record) -> Record:
    fields = backup_fields(refs, s)
    return {
        **fields,
        "sizeInMBs": fields["sizeInGBs"] * 1024,
        "uniqueSizeInMbs": fields["uniqueSizeInGBs"] * 1024,
        "sourceVolumeBackupId": None,
        "volumeId": refs.pick(s, "Volume", "backup-of"),
    }


def boot_volume_backup(refs: Refs, s: Record) -> Record:
    source_id = refs.pick(s, "BootVolume", "backup-of")
    return {
        **backup_fields(refs, s),
        "bootVolumeId": source_id,
        "imageId": boot_volume_image(refs, source_id) if source_id else None,
        "sourceBootVolumeBackupId": None,
    }


def volume_group(refs: Refs, s: Record) -> Record:
    members = attached(refs, GROUPED_VOLUMES, s) + attached(refs, GROUPED_BOOT_VOLUMES, s)
    return {
        "availabilityDomain": s.get("availabilityDomain"),
        "volumeIds": members,
        **sizes(refs, s, "volume-group"),
        "sourceDetails": None,
        "isHydrated": True,
        "volumeGroupReplicas": [],
    }


ROWS = (
    GetRow("Volume", IAAS, f"{BASE}/volumes/{{volumeId}}", "GetVolume", volume),
    GetRow("BootVolume", IAAS, f"{BASE}/bootVolumes/{{bootVolumeId}}", "GetBootVolume", boot_volume),
    GetRow("VolumeBackup", IAAS, f"{BASE}/volumeBackups/{{volumeBackupId}}", "GetVolumeBackup", volume_backup),
    GetRow(
        "BootVolumeBackup",
        IAAS,
        f"{BASE}/bootVolumeBackups/{{bootVolumeBackupId}}",
        "GetBootVolumeBackup",
        boot_volume_backup,
    ),
    GetRow("VolumeGroup", IAAS, f"{BASE}/volumeGroups/{{volumeGroupId}}", "GetVolumeGroup", volume_group),
)
