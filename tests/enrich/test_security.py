"""Security enrichment: vaults, keys through their vault's management endpoint, secrets, bastions, certificates and
network firewalls; the key → vault search and its call shape (journal); the management endpoint mapped through
``--endpoint-template`` alone; the emulator serving keys only on their own vault's host."""

from __future__ import annotations

import contextlib
import io
import json
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from oci_inventory.enrich.base import EnrichContext, EnrichStatus, RunContext
from oci_inventory.enrich.registry import REGISTRY
from tests.enrich.conftest import edges_of

KMS_QUERY = "query vault, key resources"


def ok_records(deep_run: Any, resource_type: str) -> list[dict[str, Any]]:
    recs = [r for r in deep_run.of_type(resource_type) if r["enrichStatus"] != "SKIPPED"]
    assert recs, f"the deep tenancy has {resource_type} records"
    for rec in recs:
        assert rec["enrichStatus"] == EnrichStatus.OK, rec.get("enrichError")
        assert rec["details"]["id"] == rec["ocid"] and rec["details"]["searchSummary"]["identifier"] == rec["ocid"]
    return recs


def resolves(deep_run: Any, record: dict[str, Any], relation: str, target_type: str) -> list[str]:
    targets = edges_of(record, relation)
    for target in targets:
        assert deep_run.records[target]["resourceType"] == target_type, f"{relation} resolves to a {target_type}"
    types = {e["targetType"] for e in record["relationships"] if e["relation"] == relation}
    assert types <= {target_type}
    return targets


# -- the shared deep run -------------------------------------------------------------------------------------------


def test_vaults_carry_their_endpoints(deep_run) -> None:  # type: ignore[no-untyped-def]
    from oci_emulator.services.resources.security import vault_label

    for rec in ok_records(deep_run, "Vault"):
        details, label = rec["details"], vault_label(rec["ocid"])
        assert details["managementEndpoint"] == f"https://{label}-management.kms.{rec['region']}.oraclecloud.com"
        assert details["cryptoEndpoint"] == f"https://{label}-crypto.kms.{rec['region']}.oraclecloud.com"
        assert details["vaultType"] in ("DEFAULT", "VIRTUAL_PRIVATE")


def test_keys_are_read_from_their_vault_and_point_to_it(deep_run) -> None:  # type: ignore[no-untyped-def]
    from oci_emulator.model.refs import Refs
    from oci_emulator.services.resources.security import vault_of_key

    refs = Refs(deep_run.emu.model)
    keys = ok_records(deep_run, "Key")
    moved = 0
    for rec in keys:
        (vault,) = resolves(deep_run, rec, "IN_VAULT", "Vault")
        assert vault == rec["details"]["vaultId"] == vault_of_key(refs, refs.get(rec["ocid"]))
        assert rec["details"]["keyShape"]["algorithm"] in ("AES", "RSA", "ECDSA")
        moved += deep_run.records[vault]["compartmentId"] != rec["compartmentId"]
    assert keys and moved == 0, "the emulator keeps keys with their vault (model/generate.py: COLOCATED)"


def test_a_key_outside_its_vaults_compartment_is_found_by_walking_the_tree(cli, tenancy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """OCI allows a key in another compartment than its vault: the enricher walks the compartments to find it."""
    import json

    from oci_emulator.model.refs import Refs
    from oci_emulator.services.resources.security import vault_of_key
    from tests.integration.helpers import records, run_dir

    model = tenancy.emu.model
    model.stale_one_in = 0
    refs = Refs(model)
    key = next(r for r in model.resources if r["resourceType"] == "Key" and r["lifecycleState"] == "ENABLED")
    vault = vault_of_key(refs, key)
    vault_compartment = refs.get(vault)["compartmentId"]
    active = [c["id"] for c in model.compartments if c["lifecycleState"] == "ACTIVE"]
    elsewhere = next(c for c in active if c != vault_compartment)
    model.resources = [dict(r, compartmentId=elsewhere) if r is key else r for r in model.resources]
    model.touch()
    result = cli("run", *tenancy.args, "--outdir", str(tmp_path), "--quiet")
    assert result.code == 0, result.err
    record = next(r for r in records(run_dir(result.out)) if r["ocid"] == key["identifier"])
    assert record["compartmentId"] == elsewhere and record["enrichStatus"] == "OK", json.dumps(record)[:300]
    assert edges_of(record, "IN_VAULT") == [vault]


def test_secrets_point_to_their_vault_and_key_and_carry_no_content(deep_run) -> None:  # type: ignore[no-untyped-def]
    secrets = ok_records(deep_run, "VaultSecret")
    for rec in secrets:
        (vault,) = resolves(deep_run, rec, "IN_VAULT", "Vault")
        keys = resolves(deep_run, rec, "ENCRYPTED_BY", "Key")
        assert keys == [rec["details"]["keyId"]] and vault == rec["details"]["vaultId"]
        assert edges_of(deep_run.records[keys[0]], "IN_VAULT") == [vault], "the secret's key is in the secret's vault"
        assert not {"secretContent", "content", "secretBundleContent"} & set(rec["details"])
    assert all(r["details"]["secretName"] for r in secrets)


def test_bastions_certificates_and_firewalls(deep_run) -> None:  # type: ignore[no-untyped-def]
    for rec in ok_records(deep_run, "Bastion"):
        (subnet,) = resolves(deep_run, rec, "IN_SUBNET", "Subnet")
        assert subnet == rec["details"]["targetSubnetId"]
        assert rec["details"]["bastionType"] == "STANDARD" and rec["details"]["maxSessionTtlInSeconds"] > 0
    for rec in ok_records(deep_run, "Certificate"):
        assert rec["details"]["currentVersion"]["certificateId"] == rec["ocid"]
        assert rec["details"]["subject"]["commonName"] and rec["details"]["configType"] == "IMPORTED"
    firewalls = ok_records(deep_run, "NetworkFirewall")
    with_nsg = 0
    for rec in firewalls:
        assert resolves(deep_run, rec, "IN_SUBNET", "Subnet") == [rec["details"]["subnetId"]]
        nsgs = resolves(deep_run, rec, "IN_NSG", "NetworkSecurityGroup")
        assert sorted(nsgs) == sorted(rec["details"]["networkSecurityGroupIds"])
        with_nsg += bool(nsgs)
    assert with_nsg, "some firewalls are in NSGs"


# -- the key → vault search: call shape ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kms_run(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A run of only vaults and keys over two regions, and the journal of its requests."""
    from oci_emulator import Emulator
    from oci_inventory.cli import main

    tmp = tmp_path_factory.mktemp("kms")
    with Emulator(seed=8, size=3000, regions=("us-ashburn-1", "us-phoenix-1"), stale_one_in=0) as emu:
        config = emu.write_oci_config(tmp / "emu")
        emu.journal.clear()
        args = ["run", "--config-file", str(config), "--endpoint-template", emu.endpoint_template]
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer), pytest.raises(SystemExit) as exit_info:
            main([*args, "--query", KMS_QUERY, "--outdir", str(tmp / "out"), "--quiet"])
        assert exit_info.value.code == 0
        directory = Path(buffer.getvalue().strip().splitlines()[-1])
        lines = (directory / "inventory.jsonl").read_text(encoding="utf-8").splitlines()
        yield emu, list(emu.journal.entries()), [json.loads(line) for line in lines]


def _query(path: str, name: str) -> str:
    return path.split(f"{name}=")[1].split("&")[0]


def test_each_key_is_got_on_its_own_vaults_management_host(kms_run) -> None:  # type: ignore[no-untyped-def]
    from oci_emulator.services.resources.security import management_service

    _, journal, recs = kms_run
    keys = {r["ocid"]: r for r in recs if r["resourceType"] == "Key" and r["enrichStatus"] != "SKIPPED"}
    assert len(keys) > 10 and all(r["enrichStatus"] == "OK" for r in keys.values())
    gets = [e for e in journal if e.operation == "GetKey"]
    assert sorted(e.path.rsplit("/", 1)[1] for e in gets) == sorted(keys), "one get per key"
    for entry in gets:
        vault = keys[entry.path.rsplit("/", 1)[1]]["details"]["vaultId"]
        assert entry.service == management_service(vault) and entry.status == 200
    assert all(e.method == "GET" or e.operation == "SearchResources" for e in journal), "reads only"


def test_vaults_and_their_keys_are_listed_at_most_once_per_run(kms_run) -> None:  # type: ignore[no-untyped-def]
    _, journal, recs = kms_run
    vault_gets = Counter(e.path for e in journal if e.operation == "GetVault")
    vaults = [r for r in recs if r["resourceType"] == "Vault" and r["enrichStatus"] != "SKIPPED"]
    assert set(vault_gets.values()) == {1}, "one get per vault, shared by the Vault and Key enrichers"
    assert len(vault_gets) >= len(vaults)
    listed = Counter((e.region, _query(e.path, "compartmentId")) for e in journal if e.operation == "ListVaults")
    assert listed and set(listed.values()) == {1}, "list_vaults once per region and compartment"
    key_lists = Counter((e.service, _query(e.path, "compartmentId")) for e in journal if e.operation == "ListKeys")
    assert key_lists and set(key_lists.values()) == {1}, "list_keys once per vault and compartment"
    assert all(e.service.endswith("-management.kms") for e in journal if e.operation == "ListKeys")


def _context(tenancy: Any) -> EnrichContext:
    from oci_inventory.auth.providers import build_auth
    from oci_inventory.oci.clients import ClientFactory, RetryPolicy
    from oci_inventory.oci.compartments import fetch_compartments

    template = tenancy.emu.endpoint_template
    auth = build_auth("api_key", config_file=str(tenancy.config_file), endpoint_template=template)
    factory = ClientFactory(auth, endpoint_template=template, retry=RetryPolicy(max_attempts=1))
    run = RunContext(factory, fetch_compartments(factory, auth.tenancy_id))
    return EnrichContext(run, factory.home_region)


def _live_key(tenancy: Any, region: str) -> dict[str, Any]:
    from oci_emulator.model.refs import Refs, is_stale
    from oci_emulator.services.resources.security import vault_of_key

    refs = Refs(tenancy.emu.model)
    return next(
        k
        for k in refs.of_type(region, "Key")
        if vault_of_key(refs, k) and not is_stale(refs.model, k["identifier"]) and k["lifecycleState"] == "ENABLED"
    )


def test_a_vault_search_sends_in_additional_details_costs_no_listing(tenancy) -> None:  # type: ignore[no-untyped-def]
    from oci_emulator.model.refs import Refs
    from oci_emulator.services.resources.security import vault_of_key

    ctx = _context(tenancy)
    key = _live_key(tenancy, ctx.region)
    vault = vault_of_key(Refs(tenancy.emu.model), key)
    tenancy.emu.journal.clear()
    result = REGISTRY.get("Key").enrich({**key, "additionalDetails": {"vaultId": vault}}, ctx)
    assert result.status == EnrichStatus.OK and result.details["vaultId"] == vault
    assert [e.operation for e in tenancy.emu.journal.entries()] == ["GetVault", "GetKey"]


def test_a_key_no_vault_lists_is_an_error_not_a_guess(tenancy) -> None:  # type: ignore[no-untyped-def]
    from oci_inventory.enrich.security import VaultNotFound

    ctx = _context(tenancy)
    key = _live_key(tenancy, ctx.region)
    ghost = {**key, "identifier": key["identifier"][:-6] + "zzzzzz"}
    with pytest.raises(VaultNotFound, match="no vault of"):
        REGISTRY.get("Key").enrich(ghost, ctx)
    assert not [e for e in tenancy.emu.journal.entries() if e.operation == "GetKey"], "no key get without a vault"


# -- the management endpoint: mapping and the emulator's per-vault hosts -------------------------------------------


def test_the_management_endpoints_service_prefix_is_its_host_before_the_region() -> None:
    from oci_inventory.oci.clients import endpoint_service

    url = "https://abcd-management.kms.us-ashburn-1.oraclecloud.com"
    assert endpoint_service(url, "us-ashburn-1") == "abcd-management.kms"
    assert endpoint_service(url + "/", "us-ashburn-1") == "abcd-management.kms"
    with pytest.raises(ValueError, match="cannot derive"):
        endpoint_service(url, "eu-frankfurt-1")
    with pytest.raises(ValueError, match="cannot derive"):
        endpoint_service("https://us-ashburn-1.oraclecloud.com", "us-ashburn-1")


def test_with_a_template_the_management_endpoint_is_mapped_through_the_template_alone() -> None:
    from oci_inventory.oci.clients import ClientFactory

    auth: Any = SimpleNamespace(region="us-ashburn-1")
    url = "https://abcd-management.kms.us-ashburn-1.oraclecloud.com"
    templated = ClientFactory(auth, endpoint_template="http://127.0.0.1:9/{service}/{region}/")
    assert templated.resource_endpoint(url, "us-ashburn-1") == "http://127.0.0.1:9/abcd-management.kms/us-ashburn-1"
    assert ClientFactory(auth).resource_endpoint(url + "/", "us-ashburn-1") == url


def test_the_emulator_serves_a_key_only_on_its_own_vaults_host(tenancy) -> None:  # type: ignore[no-untyped-def]
    import oci

    from oci_emulator.model.refs import Refs
    from oci_emulator.services.resources.security import management_service, vault_of_key

    ctx = _context(tenancy)
    refs = Refs(tenancy.emu.model)
    key = _live_key(tenancy, ctx.region)
    own = vault_of_key(refs, key)
    other = next((v["identifier"] for v in refs.of_type(ctx.region, "Vault") if v["identifier"] != own), None)

    def get(service: str) -> Any:  # an OCI-style endpoint, mapped through the emulator's template by the factory
        endpoint = f"https://{service}.{ctx.region}.oraclecloud.com"
        kms = oci.key_management.KmsManagementClient
        return ctx.factory.client(kms, ctx.region, raw=True, service_endpoint=endpoint).get_key(key["identifier"])

    assert get(management_service(str(own))).data["id"] == key["identifier"]
    hosts = ["nosuchvault-management.kms", "-management.kms"]
    for service in hosts + ([management_service(other)] if other else []):
        with pytest.raises(oci.exceptions.ServiceError) as info:
            get(service)
        assert info.value.status == 404, service
