"""Resource Search discovery: Structured Search per region, ``limit`` 1000, paged until ``opc-next-page`` is
absent. Items are yielded as the wire dicts the service returned (camelCase), without SDK model conversion:
that keeps raw lifecycle strings and null fields intact and is several times faster at scale.

A region's search may be several disjoint queries (see ``search_query``): compartment-scope chunks, and type
shards decided from the first page. :class:`RegionSearch` runs their page chains in parallel."""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from oci_inventory.oci.clients import ClientFactory
from oci_inventory.oci.search_query import parse_simple, type_shards
from oci_inventory.util.ocidset import OcidSet
from oci_inventory.util.pagination import NEXT_PAGE_HEADER

log = logging.getLogger(__name__)

SEARCH_PAGE_LIMIT = 1000
TERMINAL_STATES = frozenset({"TERMINATED", "DELETED"})
AUTO_SHARDS = 8  # page chains per query with --search-shards auto, when its first page is not its last
_TYPE_NAME = re.compile(r"[A-Za-z_][\w.-]*\Z")


class Cancelled(Exception):
    """Raised inside a worker when the run is being stopped."""


class PageRejected(Exception):
    """A 400 on a later page (e.g. an expired page token): the query itself was accepted on page 1."""

    def __init__(self, error: Exception, page: int) -> None:
        super().__init__(f"page {page} was rejected: {error}")
        self.error = error
        self.page = page


def search_pages(
    factory: ClientFactory,
    region: str,
    query: str,
    *,
    cancel: threading.Event | None = None,
    before_request: Callable[[], None] | None = None,
) -> Iterator[tuple[list[dict[str, Any]], bool, int]]:
    """Yield ``(items, more, nbytes)`` for each page of ``query`` in ``region``; ``more`` is False on the last page,
    ``nbytes`` the size of the page on the wire (0 when the service did not say). ``before_request`` is called
    before each request (the pipeline waits there for room for the page).

    A 400 on the first page is the service rejecting the query and propagates as the SDK's ``ServiceError``; a
    400 on a later page raises :class:`PageRejected`, so the caller can restart the listing.
    """
    import oci

    client = factory.client(oci.resource_search.ResourceSearchClient, region, raw=True)
    details = oci.resource_search.models.StructuredSearchDetails(
        type="Structured", query=query, matching_context_type="NONE"
    )
    page: str | None = None
    pages = 0
    while True:
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        kwargs = {"page": page} if page else {}
        if before_request is not None:
            before_request()
        try:
            response = client.search_resources(details, limit=SEARCH_PAGE_LIMIT, **kwargs)
        except oci.exceptions.ServiceError as exc:
            if exc.status == 400 and pages > 0:
                raise PageRejected(exc, pages + 1) from exc
            raise
        pages += 1
        page = response.headers.get(NEXT_PAGE_HEADER)
        nbytes = response.headers.get("content-length") or ""
        yield response.data.get("items") or [], bool(page), int(nbytes) if nbytes.isdigit() else 0
        if not page:
            return


def parse_shards(value: str) -> int | None:
    """``auto`` -> None, ``off`` -> 1, ``N`` -> N (at least 1)."""
    text = value.strip().lower()
    if text == "auto":
        return None
    if text == "off":
        return 1
    if text.isdigit() and int(text) >= 1:
        return int(text)
    raise ValueError("expected auto, off or a whole number of at least 1")


class RegionSearch:
    """Every query of one region, their page chains run in parallel, each listing restarted once on a later-page
    400. Each page is handed to ``accept(items, relisting, nbytes)`` whole, which must not block for long (the
    pipeline puts it in a :class:`~oci_inventory.util.spill.PageSpill`), so a chain asks for its next page at
    once. With sharding (``shards`` None = auto, or > 1), a query whose first page is not its last is split by
    resource type (:func:`type_shards`, balanced by that page's types) and its first page is set aside: the
    shards return those resources again. A region of one page per query pays nothing. ``on_more`` is called when
    a query's first page is not its last (a region of more than one page: the run will build thousands of
    records), before its shards or its next page are asked for."""

    def __init__(
        self,
        factory: ClientFactory,
        region: str,
        queries: list[str],
        *,
        shards: int | None,
        accept: Callable[[list[dict[str, Any]], bool, int], None],
        on_page: Callable[[int], None],
        cancel: threading.Event,
        before_request: Callable[[], None] | None = None,
        on_more: Callable[[], None] | None = None,
    ) -> None:
        self.factory = factory
        self.on_more = on_more
        self.before_request = before_request
        self.region = region
        self.queries = queries
        self.shards = AUTO_SHARDS if shards is None else shards
        self.accept = accept
        self.on_page = on_page
        self.cancel = cancel
        self.stop = threading.Event()  # set when any chain failed: the others stop too
        self.lock = threading.Lock()
        self.records = 0
        self.pages = 0
        self.sharded: list[str] = []  # the type-shard queries run, for tests and the debug log

    def run(self) -> tuple[int, int]:
        """Run every chain; returns (records, pages). Raises the first chain's error."""
        workers = max(self.shards, min(len(self.queries), AUTO_SHARDS))
        with ThreadPoolExecutor(workers, thread_name_prefix=f"search-{self.region}") as pool:
            probes = [pool.submit(self._chain, query, True) for query in self.queries]
            self._wait(probes)
            shards = [pool.submit(self._chain, q, False) for f in probes for q in f.result()]
            self._wait(shards)
        return self.records, self.pages

    def _wait(self, futures: list[Future[list[str]]]) -> None:
        wait(futures)
        errors = [e for f in futures if (e := f.exception()) is not None]
        if errors:  # the cause, not a chain that stopped because of it
            raise next((e for e in errors if not isinstance(e, Cancelled)), errors[0])

    def _chain(self, query: str, probe: bool) -> list[str]:
        """Page ``query`` to the end (returns []), or, as a probe that decides to shard, return the shards."""
        try:
            return self._listing(query, probe)
        except BaseException:
            self.stop.set()
            raise

    def _listing(self, query: str, probe: bool) -> list[str]:
        for attempt in (1, 2):
            counted = [0, 0]  # records, pages of this attempt
            try:
                return self._pages(query, probe and attempt == 1, attempt > 1, counted)
            except PageRejected as exc:
                with self.lock:
                    self.records -= counted[0]
                    self.pages -= counted[1]
                if attempt > 1:
                    raise
                log.warning(
                    "region %s: page %d was rejected (%s); restarting its listing from page 1",
                    self.region,
                    exc.page,
                    exc.error,
                    extra={"region": self.region, "operation": "SearchResources"},
                )
        return []

    def _pages(self, query: str, probe: bool, relisting: bool, counted: list[int]) -> list[str]:
        pages = search_pages(self.factory, self.region, query, cancel=self.cancel, before_request=self.before_request)
        for items, more, nbytes in pages:
            if self.stop.is_set():
                raise Cancelled()
            if probe and more and self.on_more is not None:
                self.on_more()
            if probe and more and self.shards > 1:
                shards = self._shard(query, items)
                if shards:
                    self._count(counted, 0)
                    return shards
            probe = False
            self._count(counted, len(items))
            self.accept(items, relisting, nbytes)
        return []

    def _count(self, counted: list[int], items: int) -> None:
        with self.lock:
            self.records += items
            self.pages += 1
            counted[0] += items
            counted[1] += 1
            self.on_page(items)

    def _shard(self, query: str, first_page: list[dict[str, Any]]) -> list[str]:
        simple = parse_simple(query)
        if simple is None:
            return []
        sample = Counter(t for item in first_page if _TYPE_NAME.match(t := str(item.get("resourceType") or "")))
        shards = [q.text() for q in type_shards(simple, sample, self.shards)]
        if len(shards) < 2:
            return []
        with self.lock:
            self.sharded.extend(shards)
        log.debug("region %s: %d type shards of %r", self.region, len(shards), query, extra={"region": self.region})
        return shards


def region_order(regions: list[str], home: str, previous: Mapping[str, int]) -> list[str]:
    """The order regions start in when fewer threads than regions: the home region first, then by the previous
    run's record count (largest first), then by name."""
    return sorted(regions, key=lambda r: (r != home, -previous.get(r, 0), r))


def is_global_ocid(ocid: str) -> bool:
    """IAM resources have OCIDs with an empty region segment: ``ocid1.user.oc1..aaaa``."""
    parts = ocid.split(".", 4)  # the first four segments and the rest: one string fewer per dot in the unique ID
    return len(parts) == 5 and parts[0].startswith("ocid") and parts[3] == ""


class Deduplicator:
    """Keeps one record per OCID across regions (IAM resources are returned by Search in every region).

    A global OCID is assigned the home region when it is among the searched regions, else the first searched
    region by name, whichever region's search saw it first, so the output does not depend on thread timing.

    ``duplicates`` counts every sighting after the first, except that a *restarted* listing of a region
    (``relisting=True``) passes over the OCIDs that region already saw silently: a restart re-reads the same
    results, it does not find duplicates. Global OCIDs (a few thousand IAM resources) remember which regions saw
    them, a bit per region, under a lock. Regional OCIDs, which Search returns only in their own region, are held
    per region in an :class:`OcidSet` (8-byte hashes, no Python object per resource), without a lock: each
    region's intake thread is the only one to claim that region's OCIDs. A regional OCID seen again while its
    region is relisted is passed over silently.
    """

    def __init__(self, regions: list[str], home_region: str) -> None:
        self.global_region = home_region if home_region in regions else sorted(regions)[0]
        self._bits = {region: 1 << i for i, region in enumerate(sorted(regions))}
        self._global: dict[str, int] = {}
        self._regional = {region: OcidSet() for region in regions}
        self._lock = threading.Lock()
        self._regional_duplicates = dict.fromkeys(regions, 0)
        self._global_duplicates = 0

    @property
    def duplicates(self) -> int:
        return self._global_duplicates + sum(self._regional_duplicates.values())

    def claim(self, ocid: str, region: str | None = None, *, relisting: bool = False) -> bool:
        """True when ``ocid`` is new (the caller keeps it), False for a repeat."""
        region = region or ""
        regional = self._regional.get(region)
        if regional is not None and not is_global_ocid(ocid):
            if regional.add(ocid):
                return True
            if not relisting:
                self._regional_duplicates[region] += 1
            return False
        bit = self._bits.get(region, 0)
        with self._lock:
            seen = self._global.get(ocid)
            if seen is None:
                self._global[ocid] = bit
                return True
            if relisting and seen & bit:
                return False
            self._global[ocid] = seen | bit
            self._global_duplicates += 1
            return False

    def region_for(self, ocid: str, searched_region: str) -> str:
        return self.global_region if is_global_ocid(ocid) else searched_region
