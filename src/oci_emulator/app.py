"""Request dispatch: normalise the path, pick the route, authenticate, inject faults, journal the result."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from urllib.parse import parse_qsl, unquote

from oci_emulator.auth.signature import AuthError, SignatureVerifier
from oci_emulator.core.errors import ApiError, InternalServerError, NotAuthenticated, NotAuthorizedOrNotFound
from oci_emulator.core.faults import DropConnection, Faults
from oci_emulator.core.http import Request, Response, error_response
from oci_emulator.core.journal import Journal, JournalEntry
from oci_emulator.core.routing import Router
from oci_emulator.model.tenancy import TenancyModel

log = logging.getLogger(__name__)
_SLASHES = re.compile(r"/{2,}")
CONTROL, AUTH = "_emulator", "auth"


class App:
    def __init__(
        self,
        model: Callable[[], TenancyModel],
        services: dict[str, Router],
        auth_router: Router,
        control_router: Router,
        verifier: SignatureVerifier,
        faults: Faults,
        journal: Journal,
    ) -> None:
        self._model = model
        self.services = services
        self.auth_router = auth_router
        self.control_router = control_router
        self.verifier = verifier
        self.faults = faults
        self.journal = journal

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Response:
        path, _, qs = raw_path.partition("?")
        path = _SLASHES.sub("/", path) or "/"
        query: dict[str, str] = {}
        for key, value in parse_qsl(qs, keep_blank_values=True):
            query.setdefault(key, value)
        req = Request(method, raw_path, path, query, headers, body)
        delay = 0.0
        try:
            if path.startswith("/_emulator/") or path == "/_emulator":
                req.service = CONTROL
                resp = self._local(self.control_router, req)
            elif path.startswith("/opc/") or path.endswith("/v1/x509"):
                req.service = AUTH
                resp = self._local(self.auth_router, req)
            else:
                resp = self._service(req)
                delay = self.faults.delay_s(req.region, resp.items)
        except ApiError as exc:
            resp = error_response(exc)
            if req.service not in (CONTROL, AUTH, ""):
                delay = self.faults.delay_s(req.region, 0)
        except DropConnection:  # journaled with status 0: no answer, the server resets the connection
            self.journal.append(JournalEntry(method, raw_path, 0, req.service, req.region, req.operation))
            raise
        except Exception as exc:  # a bug in a handler must still answer like OCI does
            log.exception("unhandled error for %s %s", method, raw_path)
            resp = error_response(InternalServerError(f"Internal error: {type(exc).__name__}"))
        if delay > 0:
            time.sleep(delay)
        resp.headers["opc-request-id"] = headers.get("opc-request-id") or uuid.uuid4().hex.upper()
        entry = JournalEntry(method, raw_path, resp.status, req.service, req.region, req.operation, req.detail)
        self.journal.append(entry)
        return resp

    @staticmethod
    def _local(router: Router, req: Request) -> Response:
        found = router.match(req.method, req.path)
        if found is None:
            raise NotAuthorizedOrNotFound(f"No route for {req.method} {req.path}")
        route, params = found
        req.operation = route.operation
        req.params = {k: unquote(v) for k, v in params.items()}
        return route.handler(req)

    def _by_suffix(self, service: str) -> Router | None:
        """The router of a per-resource host (``<vault>-management.kms``): registered as ``*-management.kms``."""
        for name, router in self.services.items():
            if name.startswith("*") and service.endswith(name[1:]) and len(service) > len(name) - 1:
                return router
        return None

    def _service(self, req: Request) -> Response:
        parts = req.path.split("/", 3)  # "", service, region, rest
        if len(parts) < 3:
            raise NotAuthorizedOrNotFound(f"Unknown path {req.path}")
        service, region = parts[1], parts[2]
        router = self.services.get(service) or self._by_suffix(service)
        if router is None:
            raise NotAuthorizedOrNotFound(f"Unknown service {service!r}")
        if region not in self._model().regions:
            raise NotAuthorizedOrNotFound(f"Region {region!r} is unknown or not subscribed by the tenancy")
        req.service, req.region = service, region
        rest = "/" + (parts[3] if len(parts) > 3 else "")
        found = router.match(req.method, rest)
        req.operation = found[0].operation if found else ""
        try:
            self.verifier.verify(req.method, req.raw_path, req.headers, req.body)
        except AuthError as exc:
            raise NotAuthenticated(str(exc)) from exc
        self.faults.check(service, region, req.operation, paged=bool(req.query.get("page")))
        if found is None:
            raise NotAuthorizedOrNotFound(f"No route for {req.method} {rest} in service {service}")
        route, params = found
        req.params = {k: unquote(v) for k, v in params.items()}
        return route.handler(req)
