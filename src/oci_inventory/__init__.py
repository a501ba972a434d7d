"""oci-inv: a complete, trustworthy and repeatable inventory of an OCI tenancy."""

__version__ = "0.1.0"
