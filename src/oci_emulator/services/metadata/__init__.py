"""Auth endpoints: instance metadata (/opc/v2/...) and X.509 federation (/v1/x509). Unsigned, fault-free."""
