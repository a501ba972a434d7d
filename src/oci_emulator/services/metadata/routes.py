"""Routes of the unprefixed auth endpoints."""

from __future__ import annotations

from oci_emulator.core.routing import Route, Router
from oci_emulator.services.metadata.responses import MetadataResponses

IMDS = "/opc/v2"


def metadata_router(r: MetadataResponses) -> Router:
    return Router(
        [
            Route("GET", f"{IMDS}/identity/cert.pem", "GetInstanceCertificate", r.cert),
            Route("GET", f"{IMDS}/identity/key.pem", "GetInstanceKey", r.key),
            Route("GET", f"{IMDS}/identity/intermediate.pem", "GetIntermediateCertificate", r.intermediate),
            Route("GET", f"{IMDS}/instance/region", "GetInstanceRegion", r.region),
            Route("GET", f"{IMDS}/instance", "GetInstance", r.instance),
            Route("POST", "/v1/x509", "X509FederationToken", r.x509),
            Route("POST", "/auth/{region}/v1/x509", "X509FederationToken", r.x509),
        ]
    )
