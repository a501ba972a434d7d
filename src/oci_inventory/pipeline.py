"""The inventory run: regions → discovery → enrichment → normalization → export, streaming.

Records flow from the per-region Search threads through the enricher pool straight into an external sorter
that holds compact serialized lines (never record dicts), so memory stays flat as tenancies grow. Enrichers that
make no API call run inline in the discovery thread; the others run on ``workers_enrich`` threads, with a
bounded number of records in flight so discovery cannot outrun enrichment without limit.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oci_inventory.diff.diff import check_inventory, diff_inventories, resolve_inventory_path, write_diff
from oci_inventory.enrich.base import STATUS_ERROR, EnrichContext, Enricher, EnrichResult
from oci_inventory.enrich.registry import REGISTRY, Registry
from oci_inventory.export.csv import write_csv
from oci_inventory.export.jsonl import dumps_record, iter_jsonl, write_jsonl
from oci_inventory.export.parquet import ensure_pyarrow, write_parquet
from oci_inventory.export.rundir import RunDirectory
from oci_inventory.export.sorter import ExternalSorter
from oci_inventory.export.summary import RegionOutcome, RunSummary, SummaryCounter
from oci_inventory.identity import bootstrap
from oci_inventory.normalize.transform import normalize_record
from oci_inventory.oci.clients import ClientFactory, RetryAborted
from oci_inventory.oci.compartments import fetch_compartments, subtree_ids
from oci_inventory.oci.discovery import TERMINAL_STATES, Cancelled, Deduplicator, search_region
from oci_inventory.oci.regions import select_regions
from oci_inventory.progress import Reporter
from oci_inventory.util.concurrency import BoundedExecutor, Stopped
from oci_inventory.util.errors import AuthError, OciInvError, UsageError
from oci_inventory.util.time import iso_z, utc_now

log = logging.getLogger(__name__)

INVENTORY_JSONL = "inventory.jsonl"
INVENTORY_CSV = "inventory.csv"
INVENTORY_PARQUET = "inventory.parquet"
RELATIONSHIPS_JSONL = "relationships.jsonl"
RUN_SUMMARY = "run_summary.json"


@dataclass
class RunOptions:
    outdir: Path
    query: str
    regions: list[str] | None = None
    compartments: list[str] | None = None
    subtree: bool = True
    include_terminated: bool = False
    parquet: bool = False
    prev: Path | None = None
    workers_region: int = 6
    workers_enrich: int = 24
    flags: dict[str, Any] = field(default_factory=dict)
    checked: bool = field(default=False, repr=False)  # set by preflight()


@dataclass
class RunResult:
    run_dir: Path
    summary: dict[str, Any]
    failed_regions: dict[str, str]
    diff_summary: dict[str, Any] | None = None


def preflight(options: RunOptions) -> None:
    """Checks that need no API call: pyarrow for --parquet, the whole --prev inventory. Runs once per options."""
    if options.checked:
        return
    if options.parquet:
        ensure_pyarrow()
    if options.prev is not None:
        check_inventory(options.prev)
    options.checked = True


def describe_error(exc: BaseException) -> str:
    """``<type>: <message>`` without secrets or multi-line noise."""
    import oci

    if isinstance(exc, oci.exceptions.ServiceError):
        message = f"{exc.status} {exc.code}: {exc.message}"
    else:
        message = str(exc)
    message = " ".join(message.split())
    return f"{type(exc).__name__}: {message}"[:500]


class _Run:
    """The mutable state of one run, shared by the worker threads."""

    def __init__(
        self,
        factory: ClientFactory,
        options: RunOptions,
        registry: Registry,
        reporter: Reporter,
        regions: list[str],
        scope: set[str] | None,
        records: ExternalSorter,
        relationships: ExternalSorter,
    ) -> None:
        self.factory = factory
        self.options = options
        self.registry = registry
        self.reporter = reporter
        self.scope = scope
        self.records = records
        self.relationships = relationships
        self.dedup = Deduplicator(regions, factory.home_region)
        self.counter = SummaryCounter()
        self.cancel = threading.Event()
        self.fatal: BaseException | None = None
        self.lock = threading.Lock()
        self.terminated_dropped = 0
        self.out_of_scope = 0
        self.pool = BoundedExecutor(
            options.workers_enrich, max_pending=options.workers_enrich * 4, name="enrich", on_error=self.fail
        )

    def fail(self, exc: BaseException) -> None:
        with self.lock:
            if self.fatal is None:
                self.fatal = exc
        self.cancel.set()

    def discover(self, region: str) -> RegionOutcome:
        import oci

        outcome = RegionOutcome(region=region, status="ok")
        started = time.monotonic()

        def on_page(items: int) -> None:
            outcome.pages += 1
            self.reporter.page(region, items)

        try:
            for item in search_region(self.factory, region, self.options.query, on_page=on_page, cancel=self.cancel):
                outcome.records += 1
                self.accept(item, region)
        except (Cancelled, RetryAborted, Stopped):
            outcome.status = "failed"
            outcome.error = "cancelled"
        except oci.exceptions.ServiceError as exc:
            outcome.status = "failed"
            outcome.error = describe_error(exc)
            if exc.status == 401:
                self.fail(AuthError(f"Resource Search in {region} refused the credentials: {exc.code}"))
            elif exc.status == 400:
                self.fail(
                    UsageError(
                        f"Resource Search rejected the query {self.options.query!r}: {exc.message}",
                        hint="see https://docs.oracle.com/iaas/Content/Search/Concepts/querysyntax.htm",
                    )
                )
        except Exception as exc:
            outcome.status = "failed"
            outcome.error = describe_error(exc)
            log.debug("discovery failed in %s", region, exc_info=True, extra={"region": region})
        outcome.duration_s = time.monotonic() - started
        self.reporter.region_done(region, outcome.status == "ok")
        if outcome.status == "failed" and not self.cancel.is_set():  # a fatal error speaks for itself
            log.info("region %s failed: %s", region, outcome.error, extra={"region": region})
        elif outcome.status == "ok":
            log.info(
                "region %s searched: %d results in %d pages, %.1fs",
                region,
                outcome.records,
                outcome.pages,
                outcome.duration_s,
                extra={"region": region, "operation": "SearchResources"},
            )
        return outcome

    def accept(self, item: Mapping[str, Any], region: str) -> None:
        ocid = item.get("identifier")
        if not ocid or not self.dedup.claim(ocid):
            return
        state = str(item.get("lifecycleState") or "").upper()
        if not self.options.include_terminated and state in TERMINAL_STATES:
            with self.lock:
                self.terminated_dropped += 1
            return
        if self.scope is not None and item.get("compartmentId") not in self.scope:
            with self.lock:
                self.out_of_scope += 1
            return
        record_region = self.dedup.region_for(ocid, region)
        enricher = self.registry.get(str(item.get("resourceType") or ""))
        if not enricher.calls_api:
            self.process(item, record_region, enricher)
            return
        self.reporter.enrich_queued()  # the enrichment bar counts only records that need an API call
        self.pool.submit(self.process, item, record_region, enricher)

    def process(self, item: Mapping[str, Any], region: str, enricher: Enricher) -> None:
        if self.cancel.is_set():
            return
        ctx = EnrichContext(self.factory, region, self.factory.home_region, self.factory.auth.tenancy_id)
        try:
            result = enricher.enrich(item, ctx)
        except Exception as exc:
            result = EnrichResult(STATUS_ERROR, {"searchSummary": dict(item)}, [], describe_error(exc))
        record = normalize_record(
            item,
            region=region,
            collected_at=iso_z(utc_now()),
            enrich_status=result.status,
            enrich_error=result.error,
            details=result.details,
            relationships=[r.as_dict() for r in result.relationships],
        )
        ocid = record["ocid"]
        self.records.add(ocid, dumps_record(record))
        self.counter.add(record)
        for rel in record["relationships"]:
            edge = {"sourceOcid": ocid, "sourceType": record["resourceType"], **rel}
            self.relationships.add(f"{ocid}\x00{rel['relation']}\x00{rel['targetOcid']}", dumps_record(edge))
        if enricher.calls_api:
            self.reporter.enrich_done()


def run_inventory(
    factory: ClientFactory,
    options: RunOptions,
    *,
    reporter: Reporter | None = None,
    registry: Registry = REGISTRY,
) -> RunResult:
    """Run one inventory and return where it was written. Raises OciInvError subclasses for the CLI to map."""
    reporter = reporter or Reporter()
    preflight(options)
    prev = resolve_inventory_path(options.prev) if options.prev is not None else None
    started = utc_now()
    t0 = time.monotonic()

    subscriptions = bootstrap(factory)
    regions = select_regions(subscriptions, options.regions)
    tenancy = factory.identity().get_tenancy(factory.auth.tenancy_id).data
    scope: set[str] | None = None
    if options.compartments:
        compartments = fetch_compartments(factory, factory.auth.tenancy_id)
        scope = subtree_ids(
            compartments, factory.auth.tenancy_id, options.compartments, include_subtree=options.subtree
        )

    with RunDirectory.create(options.outdir, started) as rundir:
        records = ExternalSorter(tmp_dir=rundir.tmp_path)
        relationships = ExternalSorter(tmp_dir=rundir.tmp_path)
        run = _Run(factory, options, registry, reporter, regions, scope, records, relationships)
        outcomes = _discover_all(run, regions)
        if run.fatal is not None:
            raise run.fatal

        files = [INVENTORY_JSONL, INVENTORY_CSV, RUN_SUMMARY]
        inventory = rundir.file(INVENTORY_JSONL)
        write_jsonl(inventory, records.sorted_lines())
        records.close()
        write_csv(rundir.file(INVENTORY_CSV), (rec for _, rec in iter_jsonl(inventory)))
        if options.parquet:
            write_parquet(rundir.file(INVENTORY_PARQUET), (rec for _, rec in iter_jsonl(inventory)))
            files.append(INVENTORY_PARQUET)
        if len(relationships):
            write_jsonl(rundir.file(RELATIONSHIPS_JSONL), relationships.sorted_lines())
            files.append(RELATIONSHIPS_JSONL)
        relationships.close()

        diff_summary = None
        if prev is not None:
            result = diff_inventories(prev, inventory)
            write_diff(result, rundir.tmp_path)
            diff_summary = result.summary()
            files += ["diff.json", "diff_summary.json"]

        summary = RunSummary(
            started_at=started,
            finished_at=utc_now(),
            duration_s=time.monotonic() - t0,
            tenancy_id=factory.auth.tenancy_id,
            tenancy_name=getattr(tenancy, "name", None),
            home_region=factory.home_region,
            query=options.query,
            flags=options.flags,
            regions=outcomes,
            terminated_dropped=run.terminated_dropped,
            duplicates_merged=run.dedup.duplicates,
            out_of_scope_dropped=run.out_of_scope,
            files=files,
        )
        summary.apply_counts(run.counter)
        summary_dict = summary.to_dict()
        summary_dict["api_retries"] = factory.retry.stats.as_dict()
        rundir.write_json(RUN_SUMMARY, summary_dict)
        final = rundir.commit()

    failed = {o.region: o.error or "failed" for o in outcomes if o.status == "failed"}
    return RunResult(final, summary_dict, failed, diff_summary)


def _discover_all(run: _Run, regions: list[str]) -> list[RegionOutcome]:
    """Discover every region in parallel and wait for enrichment; on any exception stop the workers promptly."""
    run.reporter.start(regions)
    region_pool = ThreadPoolExecutor(run.options.workers_region, thread_name_prefix="region")
    try:
        futures = {region_pool.submit(run.discover, region): region for region in regions}
        outcomes = [future.result() for future in as_completed(futures)]
        run.pool.join()
        return sorted(outcomes, key=lambda o: o.region)
    except BaseException:
        run.cancel.set()
        run.factory.retry.stop()
        run.pool.stop()
        region_pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        region_pool.shutdown(wait=False)
        run.reporter.stop()


__all__ = ["OciInvError", "RunOptions", "RunResult", "preflight", "run_inventory"]
