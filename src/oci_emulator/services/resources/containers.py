"""Containers: OKE clusters and virtual node pools (``containerengine``), container instances
(``compute-containers``) and container registry repositories (``artifacts``)."""

from __future__ import annotations

from oci_emulator.model.refs import Refs
from oci_emulator.model.regions import availability_domains
from oci_emulator.model.tenancy import Record, region_of
from oci_emulator.services.resources import GetRow
from oci_emulator.services.resources.database import customer_key
from oci_emulator.services.resources.placing import child_ocid, near, nsgs_of_subnet, subnet_in, tenancy_namespace, wire

OKE = "containerengine"
OKE_BASE = "/20180222"
CONTAINER_INSTANCES = "compute-containers"
ARTIFACTS = "artifacts"
K8S_VERSIONS = ("v1.29.1", "v1.30.1", "v1.31.1")


def cluster(refs: Refs, s: Record) -> Record:
    """The API endpoint's subnet is chosen first; the cluster's VCN is that subnet's VCN."""
    rng = refs.rng(s, "cluster")
    subnet = subnet_in(refs, s, "cluster")
    vcn = wire(refs, subnet, "vcnId") or refs.pick(s, "Vcn", "cluster")
    public = rng.random() < 0.4
    version = rng.choice(K8S_VERSIONS)
    address = f"10.0.{rng.randrange(256)}.{rng.randrange(2, 255)}"
    return {
        "name": s.get("displayName"),
        "vcnId": vcn,
        "endpointConfig": {
            "subnetId": subnet,
            "nsgIds": nsgs_of_subnet(refs, s, subnet, "cluster"),
            "isPublicIpEnabled": public,
        },
        "kubernetesVersion": version,
        "kmsKeyId": customer_key(refs, s, "cluster", one_in=4),
        "options": {
            "serviceLbSubnetIds": [],
            "kubernetesNetworkConfig": {"podsCidr": "10.244.0.0/16", "servicesCidr": "10.96.0.0/16"},
            "addOns": {"isKubernetesDashboardEnabled": False, "isTillerEnabled": False},
            "admissionControllerOptions": {"isPodSecurityPolicyEnabled": False},
            "persistentVolumeConfig": {"freeformTags": {}, "definedTags": {}},
            "serviceLbConfig": {"freeformTags": {}, "definedTags": {}},
        },
        "metadata": {"timeCreated": s.get("timeCreated"), "createdByUserId": None},
        "lifecycleDetails": None,
        "endpoints": {
            "kubernetes": None,
            "privateEndpoint": f"{address}:6443",
            "publicEndpoint": f"203.0.113.{rng.randrange(2, 255)}:6443" if public else None,
        },
        "availableKubernetesUpgrades": [v for v in K8S_VERSIONS if v > version],
        "imagePolicyConfig": {"isPolicyEnabled": False, "keyDetails": []},
        "clusterPodNetworkOptions": [{"cniType": rng.choice(("OCI_VCN_IP_NATIVE", "FLANNEL_OVERLAY"))}],
        "type": rng.choice(("BASIC_CLUSTER", "ENHANCED_CLUSTER")),
        "systemTags": {},
    }


def virtual_node_pool(refs: Refs, s: Record) -> Record:
    """A node pool of a cluster of its region; its placement subnets are in the cluster's VCN."""
    rng = refs.rng(s, "vnp")
    owner = refs.pick(s, "ClustersCluster", "vnp")
    owner_summary = refs.get_any(owner) if owner else None
    parent = cluster(refs, owner_summary) if owner_summary else {}
    ads = availability_domains(region_of(s["identifier"]) or "us-ashburn-1")
    subnet = subnet_in(refs, s, "vnp", vcn=parent.get("vcnId"))
    nsgs = nsgs_of_subnet(refs, s, subnet, "vnp")
    return {
        "clusterId": owner,
        "kubernetesVersion": parent.get("kubernetesVersion", K8S_VERSIONS[0]),
        "initialVirtualNodeLabels": [{"key": "pool", "value": "virtual"}],
        "taints": [],
        "size": rng.randrange(1, 6),
        "placementConfigurations": [
            {"availabilityDomain": ad, "faultDomain": ["FAULT-DOMAIN-1", "FAULT-DOMAIN-2"], "subnetId": subnet}
            for ad in ads[: rng.randrange(1, 3)]
        ],
        "nsgIds": nsgs,
        "podConfiguration": {"subnetId": subnet, "nsgIds": nsgs, "shape": "Pod.Standard.E4.Flex"},
        "lifecycleDetails": None,
        "timeUpdated": s.get("timeCreated"),
        "virtualNodeTags": {"freeformTags": {}, "definedTags": {}},
        "systemTags": {},
    }


def container_instance(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "ci")
    count = rng.randrange(1, 4)
    vnic = near(refs, s, "Vnic", "ci")
    return {
        "tenantId": refs.model.tenancy_id,
        "availabilityDomain": s.get("availabilityDomain"),
        "faultDomain": "FAULT-DOMAIN-1",
        "lifecycleDetails": None,
        "volumes": [],
        "volumeCount": 0,
        "containers": [
            {"containerId": child_ocid(s, "computecontainer", str(n)), "displayName": f"container-{n}"}
            for n in range(count)
        ],
        "containerCount": count,
        "timeUpdated": s.get("timeCreated"),
        "shape": "CI.Standard.E4.Flex",
        "shapeConfig": {
            "ocpus": 1.0,
            "memoryInGBs": 4.0,
            "processorDescription": "2.55 GHz AMD EPYC 7J13 (Milan)",
            "networkingBandwidthInGbps": 1.0,
        },
        "vnics": [{"vnicId": vnic}] if vnic else [],
        "dnsConfig": {"nameservers": [], "searches": [], "options": []},
        "gracefulShutdownTimeoutInSeconds": 0,
        "imagePullSecrets": [],
        "containerRestartPolicy": rng.choice(("ALWAYS", "NEVER", "ON_FAILURE")),
        "systemTags": {},
    }


def container_repo(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "repo")
    users = refs.of_type(None, "User")
    images = rng.randrange(0, 30)
    return {
        "createdBy": users[rng.randrange(len(users))]["identifier"] if users else None,
        "imageCount": images,
        "isImmutable": rng.random() < 0.2,
        "isPublic": rng.random() < 0.1,
        "layerCount": images * 5,
        "layersSizeInBytes": images * 48_000_000,
        "billableSizeInGBs": images // 20,
        "namespace": tenancy_namespace(refs),
        "readme": {"content": "# Service images\n", "format": "TEXT_MARKDOWN"},
        "timeLastPushed": s.get("timeCreated") if images else None,
        "systemTags": {},
    }


ROWS = (
    GetRow("ClustersCluster", OKE, f"{OKE_BASE}/clusters/{{clusterId}}", "GetCluster", cluster),
    GetRow(
        "ClustersVirtualNodePool",
        OKE,
        f"{OKE_BASE}/virtualNodePools/{{virtualNodePoolId}}",
        "GetVirtualNodePool",
        virtual_node_pool,
    ),
    GetRow(
        "ContainerInstance",
        CONTAINER_INSTANCES,
        "/20210415/containerInstances/{containerInstanceId}",
        "GetContainerInstance",
        container_instance,
    ),
    GetRow(
        "ContainerRepo",
        ARTIFACTS,
        "/20160918/container/repositories/{repositoryId}",
        "GetContainerRepository",
        container_repo,
    ),
)
