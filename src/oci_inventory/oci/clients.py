"""The one OCI client factory, and the retry policy every client uses.

* One signer per run (from :mod:`oci_inventory.auth.providers`); one client per (class, region, raw) per thread,
  because SDK clients are not thread-safe.
* The SDK's default circuit breaker is disabled: it is one breaker shared by every client in the process, so a
  burst of 429s on one service would block all others for 30 s.
* :class:`RetryPolicy` retries 5xx (except 501) and connection errors with exponential backoff and full jitter,
  at most ``max_attempts`` times. A 429 is not an error: it slows the endpoint (the service in its region) down (see
  :mod:`oci_inventory.oci.throttle`), waits ``Retry-After`` plus jitter, and is retried without spending an
  attempt, within the key's run-wide 429 budget. ``max_retry_time`` bounds the whole call, waits included.
* Connection pools: every client belongs to one thread and sends one request at a time, so the SDK's pool of 10
  connections per client is never the limit, whatever ``workers_enrich`` is.
* Identity calls go to the home region; ``--endpoint-template`` points every client at a compatible endpoint
  (the emulator, a proxy) as ``template.format(service=<host prefix>, region=<region>)``.
"""

from __future__ import annotations

import email.utils
import logging
import os
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from oci_inventory.auth.providers import AuthContext
from oci_inventory.logging import debug_enabled
from oci_inventory.oci.calls import CallCounter
from oci_inventory.oci.fastjson import use_orjson
from oci_inventory.oci.throttle import Throttle

if TYPE_CHECKING:
    from oci_inventory.oci.factory import FactoryRecipe

log = logging.getLogger(__name__)
T = TypeVar("T")
_PREFIX = re.compile(r"^https?://(?P<prefix>.+?)\.\{region\}")
_VERSION = re.compile(r"/\d{8}/?$")


_KINDS = {"throttled": "throttled", "server_error": "server_errors", "connection": "connection_errors"}


@dataclass
class RetryStats:
    retries: int = 0
    throttled: int = 0
    server_errors: int = 0
    connection_errors: int = 0
    throttle_budget_exhausted: int = 0
    by_service: dict[str, Counter[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def retried(self, service: str, kind: str) -> None:
        """One retry of ``kind`` ('throttled', 'server_error', 'connection') of a call to ``service``."""
        name = _KINDS[kind]
        with self.lock:
            self.retries += 1
            setattr(self, name, getattr(self, name) + 1)
            counts = self.by_service.setdefault(service, Counter())
            counts["retries"] += 1
            counts[name] += 1

    def gave_up_throttled(self, service: str) -> None:
        with self.lock:
            self.throttle_budget_exhausted += 1
            self.by_service.setdefault(service, Counter())["throttle_budget_exhausted"] += 1

    def merge(self, other: Mapping[str, Any]) -> None:
        """Add the :meth:`as_dict` of another process (an enrichment process's retries)."""
        keys = ("retries", "throttled", "server_errors", "connection_errors", "throttle_budget_exhausted")
        with self.lock:
            for key in keys:
                setattr(self, key, getattr(self, key) + int(other.get(key, 0)))
            for service, counts in dict(other.get("by_service", {})).items():
                self.by_service.setdefault(str(service), Counter()).update(
                    {key: int(counts.get(key, 0)) for key in keys if counts.get(key)}
                )

    def as_dict(self) -> dict[str, Any]:
        keys = ("retries", "throttled", "server_errors", "connection_errors", "throttle_budget_exhausted")
        with self.lock:
            return {
                "retries": self.retries,
                "throttled": self.throttled,
                "server_errors": self.server_errors,
                "connection_errors": self.connection_errors,
                "throttle_budget_exhausted": self.throttle_budget_exhausted,
                "by_service": {
                    service: {key: counts[key] for key in keys} for service, counts in sorted(self.by_service.items())
                },
            }


def call_key(func: Callable[..., Any]) -> tuple[str, str]:
    """(SDK service, endpoint without its API version) of an SDK ``call_api`` bound method; ("", "") for anything
    else. Compute (``/20160918``) and block storage (``/20170115``) behind one emulated ``iaas`` host share a key."""
    client = getattr(func, "__self__", None)
    endpoint = _VERSION.sub("", str(getattr(client, "endpoint", "") or ""))
    return str(getattr(client, "service", "") or ""), endpoint


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
    """An SDK retry strategy (``make_retrying_call``): errors retried with full jitter and bounded attempts, 429s
    paced per endpoint and retried after ``Retry-After`` plus jitter within a run-wide budget, all within a time budget.

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
        throttle_budget: int = 1000,
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
        self.throttle = Throttle(throttle_budget, clock)

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
        """Wait before retry ``attempt`` (1-based, counted per kind): ``Retry-After`` plus up to half of it (at
        least 0.05 s) of jitter, else full jitter ``uniform(0, min(cap_s, base_s * 2^(attempt-1)))``."""
        hinted = retry_after_seconds(getattr(exc, "headers", None))
        if hinted is not None:
            return hinted + self.rng.uniform(0, max(hinted, 0.1) / 2)
        return self.rng.uniform(0, min(self.cap_s, self.base_s * (2 ** (attempt - 1))))

    def make_retrying_call(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        self.calls.count(func, kwargs)
        service, endpoint = call_key(func)
        region = getattr(getattr(func, "__self__", None), "oci_inv_region", None)  # set by ClientFactory.client
        start = self.clock()
        tries = {"throttled": 0, "error": 0}
        while True:
            wait = self.throttle.reserve(endpoint)
            if wait > 0:
                self.sleep(wait)
            sent = self.clock()
            try:
                result = func(*args, **kwargs)
            except Exception as exc:
                remaining = self.max_total_s - (self.clock() - start)
                delay = self._retry_delay(exc, (service, endpoint), sent, tries, remaining, region)
                if delay is None:
                    log.info("OCI call failed: %s", failure_text(exc), extra=error_context(exc, service, region))
                    raise
                self.sleep(delay)
            else:
                self.throttle.succeeded(endpoint)
                return result

    def _retry_delay(
        self,
        exc: BaseException,
        key: tuple[str, str],
        sent: float,
        tries: dict[str, int],
        remaining: float,
        region: str | None = None,
    ) -> float | None:
        """How long to wait before retrying ``exc``, or None to give up: not retryable, out of attempts, out of the
        429 budget, or a wait that ends past ``remaining`` seconds. Counts the retry when there is one."""
        kind = self.classify(exc)
        if kind is None:
            return None
        if kind == "throttled":
            if not self.throttle.throttled(key[1], sent):
                self.stats.gave_up_throttled(key[0])
                return None
            tries["throttled"] += 1
            attempt = tries["throttled"]
        else:
            tries["error"] += 1
            attempt = tries["error"]
            if attempt >= self.max_attempts:
                return None
        delay = self.delay_for(exc, attempt)
        if delay > remaining:
            return None
        self.stats.retried(key[0], kind)
        log.info(
            "retrying after %s (%s, sleeping %.2fs)",
            kind,
            f"throttled {attempt} times" if kind == "throttled" else f"attempt {attempt} of {self.max_attempts}",
            delay,
            extra={
                **error_context(exc, key[0], region),
                "attempt": attempt,
                "delay_s": round(delay, 3),
            },
        )
        return delay


def error_context(exc: BaseException, service: str, region: str | None) -> dict[str, Any]:
    """The log fields of a failed OCI call: service, operation, region, HTTP status, OCI code, opc-request-id."""
    return {
        "service": service or None,
        "operation": getattr(exc, "operation_name", None),
        "region": region,
        "status": getattr(exc, "status", None),
        "code": getattr(exc, "code", None),
        "opc_request_id": getattr(exc, "request_id", None),
    }


def failure_text(exc: BaseException) -> str:
    """``404 NotAuthorizedOrNotFound on GetInstance`` for a service error, else the exception type and message."""
    status = getattr(exc, "status", None)
    if status is not None and hasattr(exc, "code"):
        return f"{status} {exc.code} on {getattr(exc, 'operation_name', None) or 'a request'}"
    return " ".join(f"{type(exc).__name__}: {exc}".split())[:300]


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


def pin_environment(session: Any, endpoint: str) -> None:
    """Read what ``requests`` takes from the environment (``HTTPS_PROXY``/``NO_PROXY`` for this client's endpoint,
    ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE``) once, when the client is made, and stop ``requests`` from reading
    it again on every call (``trust_env``): those lookups, and a ``~/.netrc`` search per request, were 5 % of the
    CPU of an enrichment run. The SDK signs every request itself, so ``.netrc`` credentials never apply."""
    from oci._vendor.requests.utils import get_environ_proxies

    session.proxies.update(get_environ_proxies(endpoint))
    if session.verify is True:
        session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    session.trust_env = False


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
        #: how to build this factory again in another process (``oci/factory.py``); None: it cannot be
        self.recipe: FactoryRecipe | None = None

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
        made.base_client.oci_inv_region = region  # for the log lines of RetryPolicy (error_context)
        pin_environment(made.base_client.session, made.base_client.endpoint)
        if raw:
            use_orjson(made.base_client)
        if debug_enabled():  # --debug: the SDK's request log, through our redacting handlers (never http.client's
            made.base_client.logger.disabled = False  # debuglevel, which prints raw headers to stdout)
            made.base_client.logger.setLevel(logging.DEBUG)
        cache[key] = made
        return made  # type: ignore[no-any-return]

    def identity(self, *, raw: bool = False) -> Any:
        """An IdentityClient in the home region (IAM calls belong there)."""
        import oci

        return self.client(oci.identity.IdentityClient, self.home_region, raw=raw)

    def genai_inference(self, region: str, *, endpoint: str | None = None) -> Any:
        """A GenerativeAiInferenceClient for ``region`` (the GenAI executive summary, ``genai-chat``), built like
        every other client (signer, retries, timeouts, ``--endpoint-template``); ``endpoint``, the GenAI settings'
        explicit endpoint, replaces the regional one when given."""
        import oci

        client = self.client(oci.generative_ai_inference.GenerativeAiInferenceClient, region)
        if endpoint:
            client.base_client.endpoint = endpoint.rstrip("/")
        return client
