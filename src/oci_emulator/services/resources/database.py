"""Databases: DB systems and their nodes, Autonomous Databases (``database``), MySQL DB systems (``mysql``)."""

from __future__ import annotations

from oci_emulator.model.refs import Refs
from oci_emulator.model.tenancy import Record
from oci_emulator.services.resources import GetRow
from oci_emulator.services.resources.placing import address_in, child_ocid, near, nsgs_of_subnet, subnet_in, wire

DATABASE = "database"
MYSQL = "mysql"
DB_BASE = "/20160918"
MYSQL_BASE = "/20190415"


def customer_key(refs: Refs, s: Record, salt: str, one_in: int = 2) -> str | None:
    """A customer-managed KMS key for about one resource in ``one_in`` (else None: an Oracle-managed key)."""
    if refs.rng(s, f"{salt}:cmk").randrange(one_in) != 0:
        return None
    return refs.pick(s, "Key", salt)


def db_system(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "dbsystem")
    subnet = subnet_in(refs, s, "dbsystem")
    cores = rng.choice((1, 2, 4, 8))
    return {
        "availabilityDomain": s.get("availabilityDomain"),
        "faultDomains": ["FAULT-DOMAIN-1"],
        "subnetId": subnet,
        "backupSubnetId": None,
        "nsgIds": nsgs_of_subnet(refs, s, subnet, "dbsystem"),
        "backupNetworkNsgIds": [],
        "shape": "VM.Standard.E4.Flex",
        "cpuCoreCount": cores,
        "memorySizeInGBs": cores * 16,
        "sshPublicKeys": ["ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 dba@example"],
        "hostname": f"db{rng.randrange(1000):03d}",
        "domain": "sub.vcn.oraclevcn.com",
        "timeZone": "UTC",
        "kmsKeyId": customer_key(refs, s, "dbsystem", one_in=3),
        "version": "19.22.0.0.0",
        "osVersion": "8.8",
        "databaseEdition": rng.choice(
            ("STANDARD_EDITION", "ENTERPRISE_EDITION", "ENTERPRISE_EDITION_HIGH_PERFORMANCE")
        ),
        "listenerPort": 1521,
        "diskRedundancy": "HIGH",
        "dataStoragePercentage": 80,
        "dataStorageSizeInGBs": rng.choice((256, 512, 1024)),
        "recoStorageSizeInGB": 256,
        "nodeCount": 1,
        "licenseModel": rng.choice(("LICENSE_INCLUDED", "BRING_YOUR_OWN_LICENSE")),
        "storageVolumePerformanceMode": "BALANCED",
        "lifecycleDetails": None,
        "scanIpIds": [],
        "vipIds": [],
        "computeModel": "ECPU",
        "computeCount": cores * 4,
        "systemTags": {},
    }


def db_node(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "dbnode")
    system = near(refs, s, "DbSystem", "dbnode")
    subnet = wire(refs, system, "subnetId")
    in_subnet = refs.pick(
        s, "Vnic", f"dbnode:{subnet}", where=lambda r: wire(refs, r["identifier"], "subnetId") == subnet
    )
    return {
        "dbSystemId": system,
        "vnicId": in_subnet or near(refs, s, "Vnic", "dbnode"),
        "backupVnicId": None,
        "hostIpId": child_ocid(s, "privateip", "host"),
        "hostname": f"dbnode{rng.randrange(1000):03d}",
        "faultDomain": "FAULT-DOMAIN-1",
        "softwareStorageSizeInGB": 200,
        "cpuCoreCount": rng.choice((1, 2, 4)),
        "memorySizeInGBs": 32,
        "dbNodeStorageSizeInGBs": 200,
        "maintenanceType": None,
        "additionalDetails": None,
        "lifecycleDetails": None,
        "systemTags": {},
    }


def autonomous_database(refs: Refs, s: Record) -> Record:
    """About two in three are private (a subnet and NSGs); the others have a public endpoint and no subnet."""
    rng = refs.rng(s, "adb")
    private = rng.randrange(3) != 0
    subnet = subnet_in(refs, s, "adb") if private else None
    name = f"adb{rng.randrange(10_000):04d}"
    key = customer_key(refs, s, "adb")
    host = f"{name}.adb.{s['identifier'].split('.')[3]}.oraclecloud.com"
    return {
        "dbName": name.upper(),
        "dbWorkload": rng.choice(("OLTP", "DW", "AJD", "APEX")),
        "dbVersion": "19c",
        "computeModel": "ECPU",
        "computeCount": float(rng.choice((2, 4, 8))),
        "dataStorageSizeInTBs": 1,
        "dataStorageSizeInGBs": 1024,
        "isFreeTier": False,
        "isDedicated": False,
        "isAutoScalingEnabled": rng.random() < 0.5,
        "licenseModel": "LICENSE_INCLUDED",
        "kmsKeyId": key,
        "vaultId": wire(refs, key, "vaultId"),
        "subnetId": subnet,
        "nsgIds": nsgs_of_subnet(refs, s, subnet, "adb") if private else None,
        "privateEndpoint": f"{name}.adb.oraclecloud.com" if private else None,
        "privateEndpointIp": address_in(refs, subnet, rng) if private else None,
        "privateEndpointLabel": name if private else None,
        "isMtlsConnectionRequired": not private,
        "whitelistedIps": None if private else ["203.0.113.0/24"],
        "serviceConsoleUrl": f"https://{host}/console/index.html",
        "connectionStrings": {"high": f"{host}:1522/{name}_high.adb.oraclecloud.com", "allConnectionStrings": {}},
        "openMode": "READ_WRITE",
        "permissionLevel": "UNRESTRICTED",
        "role": "PRIMARY",
        "dataSafeStatus": "NOT_REGISTERED",
        "lifecycleDetails": None,
        "systemTags": {},
    }


def mysql_db_system(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "mysql")
    subnet = subnet_in(refs, s, "mysql")
    return {
        "description": None,
        "availabilityDomain": s.get("availabilityDomain"),
        "faultDomain": "FAULT-DOMAIN-1",
        "subnetId": subnet,
        "nsgIds": nsgs_of_subnet(refs, s, subnet, "mysql"),
        "shapeName": rng.choice(("MySQL.2", "MySQL.4", "MySQL.VM.Standard.E4.2.32GB")),
        "mysqlVersion": rng.choice(("8.0.39", "8.4.2", "9.1.0")),
        "configurationId": child_ocid(s, "mysqlconfiguration", "config"),
        "dataStorageSizeInGBs": rng.choice((50, 100, 400)),
        "hostnameLabel": f"mysql{rng.randrange(1000):03d}",
        "ipAddress": address_in(refs, subnet, rng),
        "port": 3306,
        "portX": 33060,
        "isHighlyAvailable": rng.random() < 0.3,
        "isHeatWaveClusterAttached": False,
        "crashRecovery": "ENABLED",
        "databaseManagement": "DISABLED",
        "databaseMode": "READ_WRITE",
        "accessMode": "UNRESTRICTED",
        "lifecycleDetails": None,
        "timeUpdated": s.get("timeCreated"),
        "systemTags": {},
    }


ROWS = (
    GetRow("DbSystem", DATABASE, f"{DB_BASE}/dbSystems/{{dbSystemId}}", "GetDbSystem", db_system),
    GetRow("DbNode", DATABASE, f"{DB_BASE}/dbNodes/{{dbNodeId}}", "GetDbNode", db_node),
    GetRow(
        "AutonomousDatabase",
        DATABASE,
        f"{DB_BASE}/autonomousDatabases/{{autonomousDatabaseId}}",
        "GetAutonomousDatabase",
        autonomous_database,
    ),
    GetRow("MysqlDbSystem", MYSQL, f"{MYSQL_BASE}/dbSystems/{{dbSystemId}}", "GetDbSystem", mysql_db_system),
)
