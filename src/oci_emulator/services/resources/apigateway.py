"""API Gateway (``apigateway``): gateways (GatewayClient) and the deployments they serve (DeploymentClient)."""

from __future__ import annotations

from oci_emulator.model.refs import Refs
from oci_emulator.model.tenancy import Record, region_of
from oci_emulator.services.resources import GetRow
from oci_emulator.services.resources.placing import address_in, nsgs_of_subnet, subnet_in

APIGATEWAY = "apigateway"
BASE = "/20190501"


def gateway(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "apigw")
    subnet = subnet_in(refs, s, "apigw")
    return {
        "endpointType": rng.choice(("PUBLIC", "PRIVATE")),
        "subnetId": subnet,
        "networkSecurityGroupIds": nsgs_of_subnet(refs, s, subnet, "apigw"),
        "timeUpdated": s.get("timeCreated"),
        "lifecycleDetails": None,
        "locks": [],
        "hostname": f"{rng.getrandbits(64):016x}.apigateway.{region_of(s['identifier'])}.oci.customer-oci.com",
        "certificateId": None,
        "ipAddresses": [{"ipAddress": address_in(refs, subnet, rng)}],
        "responseCacheDetails": {"type": "NONE"},
        "caBundles": [],
        "ipMode": "IPV4",
        "systemTags": {},
    }


def deployment(refs: Refs, s: Record) -> Record:
    """A deployment of a gateway of its region; its endpoint is on that gateway's hostname."""
    rng = refs.rng(s, "apideploy")
    owner = refs.pick(s, "ApiGateway", "apideploy")
    owner_summary = refs.get_any(owner) if owner else None
    hostname = gateway(refs, owner_summary)["hostname"] if owner_summary else "gateway.invalid"
    prefix = f"/v{rng.randrange(1, 4)}"
    return {
        "gatewayId": owner,
        "pathPrefix": prefix,
        "endpoint": f"https://{hostname}{prefix}",
        "specification": {
            "requestPolicies": {},
            "loggingPolicies": {},
            "routes": [
                {
                    "path": "/hello",
                    "methods": ["GET"],
                    "backend": {"type": "HTTP_BACKEND", "url": "https://api.example.com/hello"},
                }
            ],
        },
        "timeUpdated": s.get("timeCreated"),
        "lifecycleDetails": None,
        "locks": [],
        "systemTags": {},
    }


ROWS = (
    GetRow("ApiGateway", APIGATEWAY, f"{BASE}/gateways/{{gatewayId}}", "GetGateway", gateway),
    GetRow("ApiDeployment", APIGATEWAY, f"{BASE}/deployments/{{deploymentId}}", "GetDeployment", deployment),
)
