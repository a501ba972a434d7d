"""Load balancers (``iaas``, LoadBalancerClient, base path /20170115) and network load balancers
(``network-load-balancer-api``)."""

from __future__ import annotations

from oci_emulator.model.refs import Refs
from oci_emulator.model.tenancy import Record
from oci_emulator.services.resources import GetRow
from oci_emulator.services.resources.placing import address_in, nsgs_of_subnet, subnet_in

LB_SERVICE = "iaas"
NLB_SERVICE = "network-load-balancer-api"


def lb_backend_set(name: str, port: int, backends: list[str]) -> Record:
    return {
        "name": name,
        "policy": "ROUND_ROBIN",
        "backends": [
            {"name": f"{ip}:{port}", "ipAddress": ip, "port": port, "weight": 1, "drain": False, "backup": False}
            for ip in backends
        ],
        "healthChecker": {"protocol": "HTTP", "urlPath": "/health", "port": port, "returnCode": 200, "retries": 3},
    }


def nlb_backend_set(name: str, port: int, backends: list[str]) -> Record:
    return {
        "name": name,
        "policy": "FIVE_TUPLE",
        "isPreserveSource": False,
        "isFailOpen": False,
        "ipVersion": "IPV4",
        "backends": [
            {"name": f"{ip}:{port}", "ipAddress": ip, "port": port, "weight": 1, "isDrain": False, "isBackup": False}
            for ip in backends
        ],
        "healthChecker": {"protocol": "TCP", "port": port, "retries": 3, "intervalInMillis": 10000},
    }


def load_balancer(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "lb")
    subnet = subnet_in(refs, s, "lb")
    private = rng.random() < 0.5
    address = address_in(refs, subnet, rng) if private else f"203.0.113.{rng.randrange(2, 255)}"
    backends = [address_in(refs, subnet, rng) for _ in range(rng.randrange(1, 4))]
    return {
        "ipAddresses": [{"ipAddress": address, "isPublic": not private, "reservedIp": None}],
        "shapeName": "flexible",
        "shapeDetails": {"minimumBandwidthInMbps": 10, "maximumBandwidthInMbps": rng.choice((10, 100, 400))},
        "isPrivate": private,
        "isDeleteProtectionEnabled": rng.random() < 0.3,
        "isRequestIdEnabled": False,
        "requestIdHeader": None,
        "subnetIds": [subnet] if subnet else [],
        "networkSecurityGroupIds": nsgs_of_subnet(refs, s, subnet, "lb"),
        "listeners": {
            "http": {
                "name": "http",
                "defaultBackendSetName": "web",
                "port": 80,
                "protocol": "HTTP",
                "hostnameNames": [],
                "pathRouteSetName": None,
                "sslConfiguration": None,
                "connectionConfiguration": {"idleTimeout": 60, "backendTcpProxyProtocolVersion": None},
                "ruleSetNames": [],
                "routingPolicyName": None,
            }
        },
        "hostnames": {},
        "sslCipherSuites": {},
        "certificates": {},
        "backendSets": {"web": lb_backend_set("web", 8080, backends)},
        "pathRouteSets": {},
        "ruleSets": {},
        "routingPolicies": {},
        "ipMode": "IPV4",
        "systemTags": {},
    }


def network_load_balancer(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "nlb")
    subnet = subnet_in(refs, s, "nlb")
    private = rng.random() < 0.5
    address = address_in(refs, subnet, rng) if private else f"198.51.100.{rng.randrange(2, 255)}"
    backends = [address_in(refs, subnet, rng) for _ in range(rng.randrange(1, 4))]
    return {
        "lifecycleDetails": None,
        "nlbIpVersion": "IPV4",
        "timeUpdated": s.get("timeCreated"),
        "ipAddresses": [{"ipAddress": address, "isPublic": not private, "ipVersion": "IPV4", "reservedIp": None}],
        "isPrivate": private,
        "isPreserveSourceDestination": False,
        "isSymmetricHashEnabled": False,
        "subnetId": subnet,
        "networkSecurityGroupIds": nsgs_of_subnet(refs, s, subnet, "nlb"),
        "listeners": {
            "tcp443": {
                "name": "tcp443",
                "defaultBackendSetName": "tls",
                "port": 443,
                "protocol": "TCP",
                "ipVersion": "IPV4",
            }
        },
        "backendSets": {"tls": nlb_backend_set("tls", 443, backends)},
        "systemTags": {},
    }


ROWS = (
    GetRow("LoadBalancer", LB_SERVICE, "/20170115/loadBalancers/{loadBalancerId}", "GetLoadBalancer", load_balancer),
    GetRow(
        "NetworkLoadBalancer",
        NLB_SERVICE,
        "/20200501/networkLoadBalancers/{networkLoadBalancerId}",
        "GetNetworkLoadBalancer",
        network_load_balancer,
    ),
)
