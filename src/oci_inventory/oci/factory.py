"""The settings a run's :class:`~.clients.ClientFactory` is built from, so that another process can build the
same factory (the enrichment processes, :mod:`oci_inventory.enrich.processes`).

A :class:`FactoryRecipe` holds names and numbers only (the auth method, the profile, the config file's path, the
endpoint template, retries and timeouts), never a key, a passphrase or a token: each process signs in itself from
the same sources, exactly as ``oci-inv run`` did.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from oci_inventory.oci.clients import ClientFactory, RetryPolicy


@dataclass(frozen=True)
class FactoryRecipe:
    auth: str
    profile: str
    config_file: str
    endpoint_template: str | None
    config_file_named_by: str | None  # None: the default location (see build_auth)
    max_attempts: int
    max_retry_time: float
    connect_timeout: float
    read_timeout: float

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FactoryRecipe:
        return cls(
            auth=str(data["auth"]),
            profile=str(data["profile"]),
            config_file=str(data["config_file"]),
            endpoint_template=_optional(data["endpoint_template"]),
            config_file_named_by=_optional(data["config_file_named_by"]),
            max_attempts=int(data["max_attempts"]),
            max_retry_time=float(data["max_retry_time"]),
            connect_timeout=float(data["connect_timeout"]),
            read_timeout=float(data["read_timeout"]),
        )


def _optional(value: Any) -> str | None:
    return None if value is None else str(value)


def build_factory(recipe: FactoryRecipe) -> tuple[ClientFactory, list[str]]:
    """The factory (signed in: raises AuthError and friends) and the auth warnings to show."""
    from oci_inventory.auth.providers import build_auth

    auth = build_auth(
        recipe.auth,
        profile=recipe.profile,
        config_file=recipe.config_file,
        endpoint_template=recipe.endpoint_template,
        config_file_named_by=recipe.config_file_named_by,
    )
    factory = ClientFactory(
        auth,
        endpoint_template=recipe.endpoint_template,
        retry=RetryPolicy(recipe.max_attempts, recipe.max_retry_time),
        connect_timeout=recipe.connect_timeout,
        read_timeout=recipe.read_timeout,
    )
    factory.recipe = recipe
    return factory, list(auth.warnings)
