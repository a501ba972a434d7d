"""X.509 material served by the emulated instance metadata service (leaf + intermediate)."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from oci_emulator.auth.keys import KeyPair


@dataclass(frozen=True)
class InstanceIdentity:
    leaf: x509.Certificate
    intermediate: x509.Certificate
    leaf_key: KeyPair

    @property
    def leaf_pem(self) -> bytes:
        return self.leaf.public_bytes(serialization.Encoding.PEM)

    @property
    def intermediate_pem(self) -> bytes:
        return self.intermediate.public_bytes(serialization.Encoding.PEM)

    @property
    def leaf_der_b64(self) -> str:
        return base64.b64encode(self.leaf.public_bytes(serialization.Encoding.DER)).decode("ascii")

    @property
    def leaf_sha1(self) -> str:
        """Upper-case colon hex SHA-1 of the leaf certificate, as in the federation keyId."""
        return ":".join(f"{b:02X}" for b in self.leaf.fingerprint(hashes.SHA1()))


def _name(*pairs: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in pairs])


def issue_instance_identity(ca: KeyPair, leaf: KeyPair, tenancy_id: str, instance_id: str) -> InstanceIdentity:
    now = dt.datetime.now(dt.UTC)
    ca_name = _name((NameOID.COMMON_NAME, "OCI Emulator Intermediate CA"), (NameOID.ORGANIZATION_NAME, "oci-emulator"))
    intermediate = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca.public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca.private, hashes.SHA256())
    )
    subject = _name(
        (NameOID.COMMON_NAME, "emulated-instance"),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, "opc-certtype:instance"),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, f"opc-instance:{instance_id}"),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, f"opc-compartment:{tenancy_id}"),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, f"opc-tenant:{tenancy_id}"),
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_name)
        .public_key(leaf.public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(ca.private, hashes.SHA256())
    )
    return InstanceIdentity(cert, intermediate, leaf)
