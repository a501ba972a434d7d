"""The relationship vocabulary: every ``relation`` an edge may carry, with what it means.

An edge goes from the enriched resource (``sourceOcid``) to another resource (``targetOcid``). ``docs/relationships.md``
lists the same names (a test keeps the two equal); enrichers use these constants, never string literals.
"""

from __future__ import annotations

from typing import Final

IN_COMPARTMENT: Final = "IN_COMPARTMENT"
HAS_VNIC: Final = "HAS_VNIC"
IN_SUBNET: Final = "IN_SUBNET"
IN_NSG: Final = "IN_NSG"
USES_BOOT_VOLUME: Final = "USES_BOOT_VOLUME"
USES_VOLUME: Final = "USES_VOLUME"
USES_IMAGE: Final = "USES_IMAGE"
IN_VCN: Final = "IN_VCN"
USES_ROUTE_TABLE: Final = "USES_ROUTE_TABLE"
USES_SECURITY_LIST: Final = "USES_SECURITY_LIST"
USES_DHCP_OPTIONS: Final = "USES_DHCP_OPTIONS"
ROUTES_TO: Final = "ROUTES_TO"
ATTACHED_TO: Final = "ATTACHED_TO"
ASSIGNED_TO: Final = "ASSIGNED_TO"
IN_CLUSTER: Final = "IN_CLUSTER"
IN_APPLICATION: Final = "IN_APPLICATION"
MEMBER_OF: Final = "MEMBER_OF"
IN_VAULT: Final = "IN_VAULT"
ENCRYPTED_BY: Final = "ENCRYPTED_BY"
IN_LOG_GROUP: Final = "IN_LOG_GROUP"
BACKUP_OF: Final = "BACKUP_OF"
IN_GATEWAY: Final = "IN_GATEWAY"
IN_DB_SYSTEM: Final = "IN_DB_SYSTEM"
USES_CONFIGURATION: Final = "USES_CONFIGURATION"
IN_VOLUME_GROUP: Final = "IN_VOLUME_GROUP"
MOUNTS: Final = "MOUNTS"
SENDS_TO: Final = "SENDS_TO"
SUBSCRIBES_TO: Final = "SUBSCRIBES_TO"
READS_FROM: Final = "READS_FROM"
ON_HOST: Final = "ON_HOST"
PRODUCED_BY: Final = "PRODUCED_BY"
REPRESENTS: Final = "REPRESENTS"

#: relation -> (typical source, typical target, meaning). The one list; docs/relationships.md shows it.
VOCABULARY: Final[dict[str, tuple[str, str, str]]] = {
    IN_COMPARTMENT: (
        "every resource (a Compartment: its parent)",
        "Compartment (or the tenancy)",
        "the compartment the resource lives in; added to every record by the pipeline",
    ),
    HAS_VNIC: ("Instance, ContainerInstance, DbNode", "Vnic", "a VNIC attached to the instance or node"),
    IN_SUBNET: (
        "Vnic, LoadBalancer, NetworkLoadBalancer, DbSystem, AutonomousDatabase, MysqlDbSystem, MountTarget, "
        "ClustersCluster, ClustersVirtualNodePool, FunctionsApplication, ApiGateway, Bastion, NetworkFirewall",
        "Subnet",
        "the subnet the resource has addresses in",
    ),
    IN_NSG: (
        "Vnic, AutonomousDatabase, LoadBalancer, DbSystem, MysqlDbSystem, ...",
        "NetworkSecurityGroup",
        "a network security group the resource is a member of",
    ),
    USES_BOOT_VOLUME: ("Instance", "BootVolume", "the instance's attached boot volume"),
    USES_VOLUME: ("Instance", "Volume", "a block volume attached to the instance"),
    USES_IMAGE: ("Instance, InstanceConfiguration", "Image", "the image the instance was launched from"),
    IN_VCN: (
        "Subnet, RouteTable, SecurityList, NetworkSecurityGroup, DhcpOptions, gateways, ClustersCluster",
        "Vcn",
        "the VCN the resource belongs to",
    ),
    USES_ROUTE_TABLE: ("Subnet", "RouteTable", "the subnet's route table"),
    USES_SECURITY_LIST: ("Subnet", "SecurityList", "a security list of the subnet"),
    USES_DHCP_OPTIONS: ("Subnet", "DhcpOptions", "the subnet's DHCP options"),
    ROUTES_TO: (
        "RouteTable",
        "InternetGateway, NatGateway, ServiceGateway, Drg, LocalPeeringGateway, PrivateIp",
        "a route rule's network entity",
    ),
    ATTACHED_TO: ("DrgAttachment, LocalPeeringGateway", "Drg, Vcn, LocalPeeringGateway", "what the attachment joins"),
    ASSIGNED_TO: ("PublicIp", "PrivateIp, Vnic, NatGateway", "the entity the public IP is assigned to"),
    IN_CLUSTER: ("ClustersVirtualNodePool", "ClustersCluster", "the OKE cluster the node pool belongs to"),
    IN_APPLICATION: ("FunctionsFunction", "FunctionsApplication", "the application the function belongs to"),
    MEMBER_OF: ("User", "Group", "a group the user is a member of"),
    IN_VAULT: ("Key, VaultSecret", "Vault", "the vault that holds the key or secret"),
    ENCRYPTED_BY: (
        "Volume, BootVolume, Bucket, AutonomousDatabase, VaultSecret, FileSystem, Stream, ...",
        "Key",
        "the customer-managed KMS key",
    ),
    IN_LOG_GROUP: ("Log", "LogGroup", "the log group of the log"),
    BACKUP_OF: ("VolumeBackup, BootVolumeBackup", "Volume, BootVolume", "the volume the backup was taken of"),
    IN_GATEWAY: ("ApiDeployment", "ApiGateway", "the API gateway serving the deployment"),
    IN_DB_SYSTEM: ("DbNode", "DbSystem", "the DB system of the node"),
    USES_CONFIGURATION: ("InstancePool", "InstanceConfiguration", "the configuration instances are launched from"),
    IN_VOLUME_GROUP: ("VolumeGroup", "Volume, BootVolume", "a volume in the group (edge from the group)"),
    MOUNTS: ("MountTarget", "FileSystem", "a file system exported through the mount target"),
    SENDS_TO: (
        "Alarm, EventRule, ServiceConnector, DevOpsProject",
        "OnsTopic, Stream, FunctionsFunction, LogGroup, ...",
        "where notifications, events or moved data go",
    ),
    SUBSCRIBES_TO: ("OnsSubscription", "OnsTopic", "the topic whose messages the subscription delivers"),
    READS_FROM: ("ServiceConnector", "Log, LogGroup, Stream", "where the connector reads from"),
    ON_HOST: ("Instance", "DedicatedVmHost", "the dedicated VM host the instance runs on"),
    PRODUCED_BY: ("MediaAsset", "MediaWorkflow", "the media workflow whose job produced the asset"),
    REPRESENTS: (
        "LogAnalyticsEntity",
        "Instance, AutonomousDatabase, DbSystem, LoadBalancer",
        "the cloud resource a Log Analytics entity stands for (its cloudResourceId)",
    ),
}
