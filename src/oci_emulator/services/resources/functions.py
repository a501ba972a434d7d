"""Functions (``functions``, FunctionsManagementClient): applications and their functions."""

from __future__ import annotations

from oci_emulator.model.refs import Refs
from oci_emulator.model.tenancy import Record, region_of
from oci_emulator.services.resources import GetRow
from oci_emulator.services.resources.placing import nsgs_of_subnet, subnet_in

FUNCTIONS = "functions"
BASE = "/20260325"


def application(refs: Refs, s: Record) -> Record:
    subnet = subnet_in(refs, s, "fnapp")
    return {
        "config": {"LOG_LEVEL": "info"},
        "subnetIds": [subnet] if subnet else [],
        "shape": refs.rng(s, "fnapp").choice(("GENERIC_X86", "GENERIC_ARM", "GENERIC_X86_ARM")),
        "networkSecurityGroupIds": nsgs_of_subnet(refs, s, subnet, "fnapp"),
        "syslogUrl": None,
        "traceConfig": {"isEnabled": False, "domainId": None},
        "timeUpdated": s.get("timeCreated"),
        "imagePolicyConfig": {"isPolicyEnabled": False, "keyDetails": []},
    }


def function(refs: Refs, s: Record) -> Record:
    """A function of an application of its region (its compartment's when it has one)."""
    rng = refs.rng(s, "fnfunc")
    return {
        "applicationId": refs.pick(s, "FunctionsApplication", "fnfunc"),
        "sourceDetails": {"sourceType": "CONTAINER_IMAGE"},
        "shape": "GENERIC_X86",
        "memoryInMBs": rng.choice((128, 256, 512, 1024)),
        "config": {},
        "timeoutInSeconds": rng.choice((30, 60, 120, 300)),
        "provisionedConcurrencyConfig": {"strategy": "NONE"},
        "detachedModeTimeoutInSeconds": None,
        "failureDestination": None,
        "successDestination": None,
        "traceConfig": {"isEnabled": False},
        "invokeEndpoint": f"https://{rng.getrandbits(40):010x}.{region_of(s['identifier'])}.functions.oci.oraclecloud.com",
        "timeUpdated": s.get("timeCreated"),
    }


ROWS = (
    GetRow("FunctionsApplication", FUNCTIONS, f"{BASE}/applications/{{applicationId}}", "GetApplication", application),
    GetRow("FunctionsFunction", FUNCTIONS, f"{BASE}/functions/{{functionId}}", "GetFunction", function),
)
