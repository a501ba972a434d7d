"""The Emulator facade: model + keys + server + faults + journal, with helpers for SDK configuration."""

from __future__ import annotations

import os
import pathlib
import secrets
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from oci_emulator import configfiles
from oci_emulator.app import App
from oci_emulator.auth.certs import issue_instance_identity
from oci_emulator.auth.keys import PASSPHRASE, fingerprint, keyring
from oci_emulator.auth.signature import SignatureVerifier
from oci_emulator.auth.tokens import TokenAuthority
from oci_emulator.control import control_router
from oci_emulator.core.faults import Faults
from oci_emulator.core.journal import Journal
from oci_emulator.core.pagination import Paginator
from oci_emulator.model.generate import build_model
from oci_emulator.model.mutate import MutationSummary, mutate
from oci_emulator.model.tenancy import TenancyModel
from oci_emulator.server import HOST, ServerThread
from oci_emulator.services import build_routers
from oci_emulator.services.metadata.models import MetadataBackend
from oci_emulator.services.metadata.responses import MetadataResponses
from oci_emulator.services.metadata.routes import metadata_router

DEFAULT_REGIONS = ("us-ashburn-1", "us-phoenix-1", "eu-frankfurt-1")
TOKEN_TTL_S = 24 * 3600


class Emulator:
    """A local OCI: ``Emulator(seed=7, size=500).start()`` then point SDK clients at ``endpoint_template``."""

    def __init__(
        self,
        seed: int = 7,
        size: int = 500,
        regions: tuple[str, ...] = DEFAULT_REGIONS,
        home_region: str | None = None,
        *,
        port: int = 0,
        model: TenancyModel | None = None,
        stale_one_in: int | None = None,
    ) -> None:
        if model is None:
            regions = tuple(regions)

            def build() -> TenancyModel:
                built = build_model(seed, size, regions, home_region)
                if stale_one_in is not None:
                    built.stale_one_in = stale_one_in
                return built

            self._factory: Callable[[], TenancyModel] = build
            model = self._factory()
        else:
            saved = model.to_json()
            self._factory = lambda: TenancyModel.from_json(saved)
        self.model = model
        self.port = port
        self.faults = Faults()
        self.journal = Journal()
        self._keys = keyring(model.seed)
        self._api_keys: dict[str, rsa.RSAPublicKey] = {}
        for role in ("api", "encrypted"):
            self.register_api_key(model.api_user_id, self._keys[role].public)
        self.tokens = TokenAuthority(self._keys["signing"], model.tenancy_id)
        self.instance_identity = issue_instance_identity(
            self._keys["signing"], self._keys["instance"], model.tenancy_id, model.instance_id
        )
        self._server: ServerThread | None = None
        self._lock = threading.Lock()
        model_ref = lambda: self.model  # noqa: E731 - always the current model, also after reset()
        metadata = MetadataResponses(MetadataBackend(model_ref, self.instance_identity, self.tokens))
        self.app = App(
            model_ref,
            build_routers(model_ref, Paginator(secrets.token_bytes(16))),
            metadata_router(metadata),
            control_router(self),
            SignatureVerifier(self.tokens, self._api_keys.get),
            self.faults,
            self.journal,
        )

    # ----------------------------------------------------------------------------- lifecycle
    def start(self, port: int | None = None) -> Emulator:
        if self._server is None:
            self._server = ServerThread(self.app, self.port if port is None else port)
            self.port = self._server.port
            self._server.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        return f"http://{HOST}:{self.port}"

    @property
    def endpoint_template(self) -> str:
        return self.base_url + "/{service}/{region}"

    def endpoint(self, service: str, region: str | None = None) -> str:
        """``endpoint_template`` filled in, e.g. endpoint("query") for the home region."""
        return self.endpoint_template.format(service=service, region=region or self.model.home_region)

    @property
    def metadata_base_url(self) -> str:
        return self.base_url + "/opc/v2"

    @property
    def federation_endpoint(self) -> str:
        return self.base_url + "/v1/x509"

    # ----------------------------------------------------------------------------- state
    def reset(self) -> None:
        """Back to the initial model; faults and journal cleared."""
        with self._lock:
            self.model = self._factory()
        self.faults.reset()
        self.journal.clear()

    def mutate(self, seed: int, add: int = 10, remove: int = 5, change: int = 5) -> MutationSummary:
        with self._lock:
            return mutate(self.model, seed, add, remove, change)

    def save_state(self, path: str | os.PathLike[str]) -> pathlib.Path:
        target = pathlib.Path(path)
        target.write_bytes(self.model.to_json())
        return target

    @classmethod
    def load_state(cls, path: str | os.PathLike[str], *, port: int = 0) -> Emulator:
        return cls(model=TenancyModel.from_json(pathlib.Path(path).read_bytes()), port=port)

    # ----------------------------------------------------------------------------- credentials
    def register_api_key(self, user_id: str, public_key: rsa.RSAPublicKey | bytes) -> str:
        """Accept requests signed by this key for ``user_id``; returns its fingerprint."""
        if isinstance(public_key, bytes):
            loaded = load_pem_public_key(public_key)
            if not isinstance(loaded, rsa.RSAPublicKey):
                raise ValueError("only RSA keys are supported")
            public_key = loaded
        fp = fingerprint(public_key)
        self._api_keys[f"{self.model.tenancy_id}/{user_id}/{fp}"] = public_key
        return fp

    def mint_session_token(self, public_key_pem: bytes, ttl_s: int = TOKEN_TTL_S) -> str:
        key = load_pem_public_key(public_key_pem)
        if not isinstance(key, rsa.RSAPublicKey):
            raise ValueError("only RSA keys are supported")
        return self.tokens.mint("session", ttl_s, key, sub=self.model.api_user_id)

    def mint_delegation_token(self, ttl_s: int = TOKEN_TTL_S) -> str:
        return self.tokens.mint("delegation", ttl_s, None, sub=self.model.api_user_id, obo=True)

    def resource_principal_env(self) -> dict[str, str]:
        rp = self._keys["rp"]
        rpst = self.tokens.mint(
            "resource", TOKEN_TTL_S, rp.public, sub="ocid1.fnfunc.oc1..emulated", res_type="fnfunc",
            res_compartment=self.model.tenancy_id,
        )  # fmt: skip
        return {
            "OCI_RESOURCE_PRINCIPAL_VERSION": "2.2",
            "OCI_RESOURCE_PRINCIPAL_RPST": rpst,
            "OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM": rp.private_pem().decode("ascii"),
            "OCI_RESOURCE_PRINCIPAL_REGION": self.model.home_region,
        }

    def write_oci_config(self, directory: pathlib.Path) -> pathlib.Path:
        """Write ``config`` (profiles DEFAULT, SESSION, WRONGKEY, ENCRYPTED, DELEGATION) and key files (0600)."""
        directory = pathlib.Path(directory)
        k = self._keys
        files = configfiles.write_files(
            directory,
            {
                "api_key.pem": k["api"].private_pem(),
                "wrong_key.pem": k["wrong"].private_pem(),
                "encrypted_key.pem": k["encrypted"].private_pem(PASSPHRASE),
                "session_key.pem": k["session"].private_pem(),
                "session_token": self.mint_session_token(k["session"].public_pem()),
                "delegation_token": self.mint_delegation_token(),
            },
        )
        common = {"tenancy": self.model.tenancy_id, "region": self.model.home_region}
        user = {"user": self.model.api_user_id}
        profiles: dict[str, dict[str, Any]] = {
            "DEFAULT": {**user, "fingerprint": k["api"].fingerprint, "key_file": files["api_key.pem"], **common},
            "SESSION": {
                "fingerprint": k["session"].fingerprint,
                "key_file": files["session_key.pem"],
                "security_token_file": files["session_token"],
                **common,
            },
            "WRONGKEY": {**user, "fingerprint": k["wrong"].fingerprint, "key_file": files["wrong_key.pem"], **common},
            "ENCRYPTED": {
                **user,
                "fingerprint": k["encrypted"].fingerprint,
                "key_file": files["encrypted_key.pem"],
                "pass_phrase": PASSPHRASE,
                **common,
            },
            "DELEGATION": {
                "authentication_type": "instance_principal",
                "delegation_token_file": files["delegation_token"],
                **common,
            },
        }
        rendered = configfiles.render_config({n: {k: str(v) for k, v in p.items()} for n, p in profiles.items()})
        return configfiles.write_files(directory, {"config": rendered})["config"]
