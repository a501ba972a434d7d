"""IMDS and federation responses."""

from __future__ import annotations

from oci_emulator.auth.signature import AuthError
from oci_emulator.core.errors import NotAuthenticated
from oci_emulator.core.http import Request, Response, json_response
from oci_emulator.services.metadata.models import MetadataBackend

TEXT = "text/plain"


class MetadataResponses:
    def __init__(self, backend: MetadataBackend) -> None:
        self.backend = backend

    @staticmethod
    def _bearer(req: Request) -> None:
        if req.headers.get("authorization") != "Bearer Oracle":
            raise NotAuthenticated("Instance metadata requires the header Authorization: Bearer Oracle")

    def _text(self, req: Request, text: bytes | str) -> Response:
        self._bearer(req)
        return Response(200, text.encode() if isinstance(text, str) else text, {}, TEXT)

    def cert(self, req: Request) -> Response:
        return self._text(req, self.backend.identity.leaf_pem)

    def key(self, req: Request) -> Response:
        return self._text(req, self.backend.identity.leaf_key.private_pem())

    def intermediate(self, req: Request) -> Response:
        return self._text(req, self.backend.identity.intermediate_pem)

    def region(self, req: Request) -> Response:
        return self._text(req, self.backend.model.home_region)

    def instance(self, req: Request) -> Response:
        self._bearer(req)
        return json_response(self.backend.instance())

    def x509(self, req: Request) -> Response:
        try:
            token = self.backend.federate(req.method, req.raw_path, req.headers, req.body, req.json())
        except AuthError as exc:
            raise NotAuthenticated(str(exc)) from exc
        return json_response({"token": token})
