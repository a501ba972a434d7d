"""DevOps projects (``devops``) and Resource Manager stacks (``resourcemanager``)."""

from __future__ import annotations

from oci_emulator.model.refs import Refs
from oci_emulator.model.tenancy import Record, region_of
from oci_emulator.services.resources import GetRow
from oci_emulator.services.resources.placing import tenancy_namespace


def project(refs: Refs, s: Record) -> Record:
    """Every DevOps project names the notification topic it sends to (a topic of its region)."""
    return {
        "name": s.get("displayName"),
        "description": None,
        "namespace": tenancy_namespace(refs),
        "notificationConfig": {"topicId": refs.pick(s, "OnsTopic", "devops")},
        "timeUpdated": s.get("timeCreated"),
        "lifecycleDetails": None,
        "systemTags": {},
    }


def stack(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "ormstack")
    return {
        "description": "Provisioned with Terraform",
        "configSource": {"configSourceType": "ZIP_UPLOAD", "workingDirectory": None},
        "customTerraformProvider": None,
        "isThirdPartyProviderExperienceEnabled": False,
        "variables": {"region": region_of(s["identifier"]), "compartment_ocid": s.get("compartmentId")},
        "terraformVersion": rng.choice(("1.2.x", "1.5.x")),
        "stackDriftStatus": rng.choice(("NOT_CHECKED", "IN_SYNC", "DRIFTED")),
        "timeDriftLastChecked": None,
        "systemTags": {},
    }


ROWS = (
    GetRow("DevOpsProject", "devops", "/20210630/projects/{projectId}", "GetProject", project),
    GetRow("OrmStack", "resourcemanager", "/20180917/stacks/{stackId}", "GetStack", stack),
)
