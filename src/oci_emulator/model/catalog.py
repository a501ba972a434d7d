"""Search resource types the emulator generates: OCID segment, scope, lifecycle states and mix weight."""

from __future__ import annotations

from dataclasses import dataclass

AD = "ad"  # availability-domain scoped: availabilityDomain set
REGIONAL = "regional"
GLOBAL = "global"  # IAM: OCID with an empty region segment, returned by Search in every region

_NET = ("PROVISIONING", "AVAILABLE", "TERMINATING", "TERMINATED")
_IAM = ("CREATING", "ACTIVE", "INACTIVE", "DELETING", "DELETED")
_GENERIC = ("CREATING", "ACTIVE", "UPDATING", "DELETING", "DELETED", "FAILED")


@dataclass(frozen=True)
class TypeSpec:
    name: str  # Search resourceType
    ocid_type: str  # the <type> segment of ocid1.<type>.oc1...
    scope: str
    live: tuple[str, ...]  # states drawn for ~95 % of resources (first one weighted most)
    dead: tuple[str, ...]  # terminal states (~5 %)
    weight: int = 1
    states: tuple[str, ...] = ()  # all valid states (informational)


def _t(name: str, ocid: str, scope: str, states: tuple[str, ...], weight: int = 1) -> TypeSpec:
    dead = tuple(s for s in states if s in ("TERMINATED", "DELETED", "DETACHED"))
    busy = tuple(s for s in states if s not in dead and s.endswith("ING") and s not in ("RUNNING", "PENDING"))
    live = tuple(s for s in states if s not in dead and s not in busy)
    ordered = tuple(s for s in ("RUNNING", "AVAILABLE", "ACTIVE", "ENABLED") if s in live)
    live = ordered + tuple(s for s in live if s not in ordered) + busy
    return TypeSpec(name, ocid, scope, live or states, dead or states[-1:], weight, states)


TYPES: tuple[TypeSpec, ...] = (
    _t("Instance", "instance", AD, ("PROVISIONING", "RUNNING", "STARTING", "STOPPING", "STOPPED", "TERMINATED"), 10),
    _t("Vcn", "vcn", REGIONAL, ("PROVISIONING", "AVAILABLE", "UPDATING", "TERMINATING", "TERMINATED"), 3),
    _t("Subnet", "subnet", REGIONAL, ("PROVISIONING", "AVAILABLE", "UPDATING", "TERMINATING", "TERMINATED"), 5),
    _t("Vnic", "vnic", AD, _NET, 10),
    _t("SecurityList", "securitylist", REGIONAL, _NET, 4),
    _t("RouteTable", "routetable", REGIONAL, _NET, 4),
    _t("NetworkSecurityGroup", "networksecuritygroup", REGIONAL, _NET, 3),
    _t("InternetGateway", "internetgateway", REGIONAL, _NET, 2),
    _t("NatGateway", "natgateway", REGIONAL, _NET, 2),
    _t("ServiceGateway", "servicegateway", REGIONAL, _NET, 2),
    _t("Drg", "drg", REGIONAL, _NET),
    _t("DrgAttachment", "drgattachment", REGIONAL, ("ATTACHING", "ATTACHED", "DETACHING", "DETACHED")),
    _t("DhcpOptions", "dhcpoptions", REGIONAL, _NET, 3),
    _t("PublicIp", "publicip", REGIONAL, ("PROVISIONING", "AVAILABLE", "ASSIGNED", "TERMINATED"), 2),
    _t("LocalPeeringGateway", "localpeeringgateway", REGIONAL, _NET),
    _t("Volume", "volume", AD, ("PROVISIONING", "RESTORING", "AVAILABLE", "FAULTY", "TERMINATED"), 6),
    _t("BootVolume", "bootvolume", AD, ("PROVISIONING", "AVAILABLE", "FAULTY", "TERMINATED"), 8),
    _t("VolumeBackup", "volumebackup", REGIONAL, ("CREATING", "AVAILABLE", "FAULTY", "TERMINATED"), 4),
    _t("BootVolumeBackup", "bootvolumebackup", REGIONAL, ("CREATING", "AVAILABLE", "FAULTY", "TERMINATED"), 2),
    _t("VolumeGroup", "volumegroup", AD, ("PROVISIONING", "AVAILABLE", "FAULTY", "TERMINATED")),
    _t("Image", "image", REGIONAL, ("PROVISIONING", "IMPORTING", "AVAILABLE", "EXPORTING", "DELETED"), 2),
    _t("InstancePool", "instancepool", REGIONAL, ("PROVISIONING", "RUNNING", "STOPPED", "TERMINATED")),
    _t("InstanceConfiguration", "instanceconfiguration", REGIONAL, ("ACTIVE", "DELETED")),
    _t("DedicatedVmHost", "dedicatedvmhost", AD, _GENERIC),
    _t("Bucket", "bucket", REGIONAL, ("ACTIVE", "DELETED"), 4),
    _t("DbSystem", "dbsystem", AD, ("PROVISIONING", "AVAILABLE", "UPDATING", "FAILED", "TERMINATED")),
    _t("DbNode", "dbnode", AD, ("PROVISIONING", "AVAILABLE", "STOPPED", "TERMINATED")),
    _t("AutonomousDatabase", "autonomousdatabase", REGIONAL, ("PROVISIONING", "AVAILABLE", "STOPPED", "TERMINATED"), 2),
    _t("MysqlDbSystem", "mysqldbsystem", AD, ("CREATING", "ACTIVE", "INACTIVE", "FAILED", "DELETED")),
    _t("ClustersCluster", "cluster", REGIONAL, ("CREATING", "ACTIVE", "FAILED", "UPDATING", "DELETED")),
    # OKE node pools as Search publishes them (the published list has no type for managed node pools)
    _t("ClustersVirtualNodePool", "virtualnodepool", REGIONAL, ("CREATING", "ACTIVE", "UPDATING", "DELETED")),
    _t("LoadBalancer", "loadbalancer", REGIONAL, ("CREATING", "FAILED", "ACTIVE", "DELETED"), 2),
    _t("NetworkLoadBalancer", "networkloadbalancer", REGIONAL, ("CREATING", "ACTIVE", "UPDATING", "DELETED")),
    _t("FunctionsApplication", "fnapp", REGIONAL, ("CREATING", "ACTIVE", "INACTIVE", "UPDATING", "DELETED")),
    _t("FunctionsFunction", "fnfunc", REGIONAL, ("CREATING", "ACTIVE", "INACTIVE", "UPDATING", "DELETED"), 2),
    _t("Vault", "vault", REGIONAL, ("CREATING", "ACTIVE", "PENDING_DELETION", "DELETED")),
    _t("Key", "key", REGIONAL, ("CREATING", "ENABLED", "DISABLED", "PENDING_DELETION", "DELETED"), 2),
    _t("VaultSecret", "vaultsecret", REGIONAL, ("CREATING", "ACTIVE", "PENDING_DELETION", "DELETED"), 2),
    _t("LogGroup", "loggroup", REGIONAL, ("CREATING", "ACTIVE", "UPDATING", "INACTIVE", "DELETING")),
    _t("Log", "log", REGIONAL, ("CREATING", "ACTIVE", "UPDATING", "INACTIVE", "DELETING"), 2),
    _t("FileSystem", "filesystem", AD, ("CREATING", "ACTIVE", "UPDATING", "DELETED", "FAILED")),
    _t("MountTarget", "mounttarget", AD, ("CREATING", "ACTIVE", "UPDATING", "DELETED", "FAILED")),
    _t("ApiGateway", "apigateway", REGIONAL, _GENERIC),
    _t("ApiDeployment", "apideployment", REGIONAL, _GENERIC),
    _t("LogAnalyticsEntity", "loganalyticsentity", REGIONAL, ("ACTIVE", "DELETED")),
    _t("MediaAsset", "mediaasset", REGIONAL, _GENERIC),
    _t("MediaWorkflow", "mediaworkflow", REGIONAL, ("CREATING", "ACTIVE", "NEEDS_ATTENTION", "DELETED")),
    _t("Alarm", "alarm", REGIONAL, ("ACTIVE", "DELETING", "DELETED"), 2),
    _t("OnsTopic", "onstopic", REGIONAL, ("ACTIVE", "DELETING", "CREATING")),
    _t("OnsSubscription", "onssubscription", REGIONAL, ("PENDING", "ACTIVE", "DELETED")),
    _t("EventRule", "eventrule", REGIONAL, ("CREATING", "ACTIVE", "INACTIVE", "DELETED")),
    _t("ServiceConnector", "serviceconnector", REGIONAL, ("CREATING", "ACTIVE", "INACTIVE", "FAILED", "DELETED")),
    _t("Stream", "stream", REGIONAL, ("CREATING", "ACTIVE", "FAILED", "DELETED")),
    _t("Bastion", "bastion", REGIONAL, ("CREATING", "ACTIVE", "FAILED", "DELETED")),
    _t("Certificate", "certificate", REGIONAL, ("CREATING", "ACTIVE", "FAILED", "DELETED")),
    _t("NetworkFirewall", "networkfirewall", REGIONAL, ("CREATING", "ACTIVE", "FAILED", "DELETED")),
    _t("ContainerInstance", "computecontainerinstance", AD, ("CREATING", "ACTIVE", "INACTIVE", "FAILED", "DELETED")),
    _t("ContainerRepo", "containerrepo", REGIONAL, ("AVAILABLE", "DELETING", "DELETED")),
    _t("DevOpsProject", "devopsproject", REGIONAL, ("CREATING", "ACTIVE", "FAILED", "DELETED")),
    _t("OrmStack", "ormstack", REGIONAL, ("CREATING", "ACTIVE", "FAILED", "DELETED")),
    # IAM / global
    _t("User", "user", GLOBAL, _IAM),
    _t("Group", "group", GLOBAL, _IAM),
    _t("Policy", "policy", GLOBAL, _IAM),
    _t("DynamicResourceGroup", "dynamicgroup", GLOBAL, _IAM),
    _t("TagNamespace", "tagnamespace", GLOBAL, _IAM),
    _t("Compartment", "compartment", GLOBAL, _IAM),
)

BY_NAME: dict[str, TypeSpec] = {t.name.lower(): t for t in TYPES}
REGIONAL_TYPES: tuple[TypeSpec, ...] = tuple(t for t in TYPES if t.scope != GLOBAL)
IAM_TYPE_NAMES = ("User", "Group", "Policy", "DynamicResourceGroup", "TagNamespace")

# Queryable fields served by GET /resourceTypes (name, fieldType); the same for every type.
COMMON_FIELDS: tuple[tuple[str, str], ...] = (
    ("identifier", "IDENTIFIER"),
    ("displayName", "STRING"),
    ("compartmentId", "IDENTIFIER"),
    ("lifecycleState", "STRING"),
    ("availabilityDomain", "STRING"),
    ("timeCreated", "DATETIME"),
    ("freeformTags", "OBJECT"),
    ("definedTags", "OBJECT"),
)


def lookup(name: str) -> TypeSpec | None:
    """Case-insensitive lookup of a Search resource type."""
    return BY_NAME.get(name.lower())
