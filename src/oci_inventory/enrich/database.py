"""Database enrichers, declared as table rows: DB systems, DB nodes and Autonomous Databases (DatabaseClient), and
MySQL HeatWave DB systems (the MySQL service's own DbSystemClient, a different API)."""

from __future__ import annotations

from oci_inventory.enrich.base import EdgeSpec, GetSpec
from oci_inventory.enrich.registry import register_spec
from oci_inventory.enrich.relations import ENCRYPTED_BY, HAS_VNIC, IN_DB_SYSTEM, IN_NSG, IN_SUBNET

DATABASE = "oci.database.DatabaseClient"
MYSQL = "oci.mysql.DbSystemClient"

SUBNET = EdgeSpec(IN_SUBNET, "subnetId", "Subnet")
NSGS = EdgeSpec(IN_NSG, "nsgIds", "NetworkSecurityGroup")
KMS_KEY = EdgeSpec(ENCRYPTED_BY, "kmsKeyId", "Key")

SPECS = (
    GetSpec("DbSystem", DATABASE, "get_db_system", edges=(SUBNET, NSGS, KMS_KEY)),
    GetSpec(
        "DbNode",
        DATABASE,
        "get_db_node",
        edges=(EdgeSpec(IN_DB_SYSTEM, "dbSystemId", "DbSystem"), EdgeSpec(HAS_VNIC, "vnicId", "Vnic")),
    ),
    # A public Autonomous Database answers subnetId/nsgIds null: it simply has no such edges.
    GetSpec("AutonomousDatabase", DATABASE, "get_autonomous_database", edges=(SUBNET, NSGS, KMS_KEY)),
    GetSpec("MysqlDbSystem", MYSQL, "get_db_system", edges=(SUBNET, NSGS)),
)

for _spec in SPECS:
    register_spec(_spec)
