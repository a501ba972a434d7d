"""The one OCI client factory, and the retry policy every client uses.

* One signer per run (from :mod:`oci_inventory.auth.providers`); one client per (class, region, raw) per thread,
  because SDK clients are not thread-safe.
* The SDK's default circuit breaker is disabled: it is one breaker shared by every client in the process, so a
  burst of 429s on one service would block all others for 30 s.
* :class:`RetryPolicy` retries 429, 5xx (except 501) and connection errors with exponential backoff and full
  jitter, honours ``Retry-After``, and bounds both attempts and total time.
* Identity calls go to the home region; ``--endpoint-template`` points every client at a compatible endpoint
  (the emulator, a proxy) as ``template.format(service=<host prefix>, region=<region>)``.
"""

from __future__ import annotations

import email.utils
import logging
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

from oci_inventory.auth.providers import AuthContext
from oci_inventory.oci.calls import CallCounter

log = logging.getLogger(__name__)
T = TypeVar("T")
_PREFIX = re.compile(r"^https?://(?P<prefix>.+?)\.\{region\}")


@dataclass
class RetryStats:
    retries: int = 0
    throttled: int = 0
    server_errors: int = 0
    connection_errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def as_dict(self) -> dict[str, int]:
        return {
            "retries": self.retries,
            "throttled": self.throttled,
            "server_errors": self.server_errors,
            "connection_errors": self.connection_errors,
        }


def retry_after_seconds(headers: Any) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date), or None."""
    if not headers:
        return None
    value = headers.get("retry-after") or headers.get("Retry-After")
    if value is None:
        return None
    text = str(value).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class RetryAborted(Exception):
    """The run is stopping; a retry that was waiting gives up at once."""


class RetryPolicy:
    """An SDK retry strategy (``make_retrying_call``) with full jitter, ``Retry-After`` and a time budget.

    ``stop()`` wakes every thread waiting between attempts, so Ctrl-C never waits for a backoff to finish.
    """

    def __init__(
        self,
        max_attempts: int = 8,
        max_total_s: float = 300.0,
        base_s: float = 0.5,
        cap_s: float = 30.0,
        *,
        sleep: Callable[[float], None] | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_attempts = max_attempts
        self.max_total_s = max_total_s
        self.base_s = base_s
        self.cap_s = cap_s
        self._stop = threading.Event()
        self.sleep = sleep or self._interruptible_sleep
        self.rng = rng or random.Random()
        self.clock = clock
        self.stats = RetryStats()
        self.calls = CallCounter()

    def _interruptible_sleep(self, seconds: float) -> None:
        if self._stop.wait(seconds):
            raise RetryAborted("stopped while waiting to retry")

    def stop(self) -> None:
        self._stop.set()

    def add_circuit_breaker_callback(self, callback: Any) -> None:  # the SDK calls this; we run no breaker
        return None

    def classify(self, exc: BaseException) -> str | None:
        """'throttled', 'server_error', 'connection' for retryable failures, else None."""
        import oci

        if isinstance(exc, oci.exceptions.ServiceError):
            if exc.status == 429:
                return "throttled"
            if exc.status >= 500 and exc.status != 501:
                return "server_error"
            return None
        if isinstance(exc, (oci.exceptions.RequestException, oci.exceptions.ConnectTimeout, ConnectionError)):
            return "connection"
        return None

    def delay_for(self, exc: BaseException, attempt: int) -> float:
        hinted = retry_after_seconds(getattr(exc, "headers", None))
        if hinted is not None:
            return hinted
        return self.rng.uniform(0, min(self.cap_s, self.base_s * (2 ** (attempt - 1))))

    def make_retrying_call(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        self.calls.count(func, kwargs)
        start = self.clock()
        attempt = 0
        while True:
            attempt += 1
            try:
                return func(*args, **kwargs)
            except Exception as exc:
                kind = self.classify(exc)
                if kind is None or attempt >= self.max_attempts:
                    raise
                delay = self.delay_for(exc, attempt)
                if self.clock() - start + delay > self.max_total_s:
                    raise
                with self.stats.lock:
                    self.stats.retries += 1
                    if kind == "throttled":
                        self.stats.throttled += 1
                    elif kind == "server_error":
                        self.stats.server_errors += 1
                    else:
                        self.stats.connection_errors += 1
                log.info(
                    "retrying after %s (attempt %d of %d, sleeping %.2fs)",
                    kind,
                    attempt,
                    self.max_attempts,
                    delay,
                    extra={
                        "status": getattr(exc, "status", None),
                        "operation": getattr(exc, "operation_name", None),
                        "opc_request_id": getattr(exc, "request_id", None),
                        "attempt": attempt,
                        "delay_s": round(delay, 3),
                    },
                )
                self.sleep(delay)


def service_prefix(service_endpoint_template: str) -> str:
    """The host prefix of an SDK endpoint template: ``https://query.{region}.oci...`` -> ``query``."""
    match = _PREFIX.match(service_endpoint_template or "")
    if not match:
        raise ValueError(f"cannot derive a service prefix from {service_endpoint_template!r}")
    return match.group("prefix")


def endpoint_service(endpoint: str, region: str) -> str:
    """The service prefix of a resource's own endpoint (a vault's management endpoint): its host up to
    ``.{region}.`` (``https://abcd-management.kms.us-ashburn-1.oraclecloud.com`` -> ``abcd-management.kms``)."""
    host = urlsplit(endpoint).hostname or ""
    prefix, found, _ = host.partition(f".{region}.")
    if not found or not prefix:
        raise ValueError(f"cannot derive a service prefix for region {region} from endpoint {endpoint!r}")
    return prefix


class ClientFactory:
    """Builds and caches SDK clients: one per (client class, region, raw) per thread."""

    def __init__(
        self,
        auth: AuthContext,
        *,
        endpoint_template: str | None = None,
        retry: RetryPolicy | None = None,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
    ) -> None:
        self.auth = auth
        self.endpoint_template = endpoint_template.rstrip("/") if endpoint_template else None
        self.retry = retry or RetryPolicy()
        self.timeout = (connect_timeout, read_timeout)
        self.home_region = auth.region
        self._local = threading.local()

    def endpoint_for(self, client: Any, region: str) -> str | None:
        if not self.endpoint_template:
            return None
        prefix = service_prefix(client.base_client.service_endpoint_template)
        return self.endpoint_template.format(service=prefix, region=region).rstrip("/")

    def resource_endpoint(self, endpoint: str, region: str) -> str:
        """Where to call a resource's own endpoint (a vault's management endpoint): as given, or with
        ``--endpoint-template`` the template ALONE, formatted with the endpoint's service prefix and ``region``."""
        if not self.endpoint_template:
            return endpoint.rstrip("/")
        return self.endpoint_template.format(service=endpoint_service(endpoint, region), region=region).rstrip("/")

    def client(self, cls: type[T], region: str, *, raw: bool = False, service_endpoint: str | None = None) -> T:
        """A client of ``cls`` for ``region`` owned by the calling thread. ``raw``: bodies as wire dicts.
        ``service_endpoint``: a resource's own endpoint (see :meth:`resource_endpoint`), for clients that have no
        regional endpoint (``KmsManagementClient``)."""
        cache: dict[tuple[type[Any], str, bool, str | None], Any] = self._local.__dict__.setdefault("clients", {})
        key = (cls, region, raw, service_endpoint)
        existing = cache.get(key)
        if existing is not None:
            return existing  # type: ignore[no-any-return]
        import oci

        config = dict(self.auth.client_config, region=region)
        constructor: Any = cls
        own: dict[str, str] = {}
        if service_endpoint is not None:
            own["service_endpoint"] = self.resource_endpoint(service_endpoint, region)
        made = constructor(
            config,
            signer=self.auth.signer,
            retry_strategy=self.retry,
            circuit_breaker_strategy=oci.circuit_breaker.NoCircuitBreakerStrategy(),
            timeout=self.timeout,
            skip_deserialization=raw,
            **own,
        )
        endpoint = self.endpoint_for(made, region) if service_endpoint is None else None
        if endpoint:
            made.base_client.endpoint = endpoint
        cache[key] = made
        return made  # type: ignore[no-any-return]

    def identity(self, *, raw: bool = False) -> Any:
        """An IdentityClient in the home region (IAM calls belong there)."""
        import oci

        return self.client(oci.identity.IdentityClient, self.home_region, raw=raw)
