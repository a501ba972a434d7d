"""The inventory run: regions → discovery → enrichment → normalization → export, streaming.

The Search page chains of each region put whole pages into the region's :class:`PageSpill` (memory up to a
budget shared by the run, then a temporary file) and go on paging: Search never waits for enrichment. The region's
intake thread takes the pages out and does the per-record work: de-duplication, scope, then records whose
enricher makes no API call are built inline (no thread hand-off), the others go to ``workers_enrich`` threads,
with a bounded number in flight (the intake thread waits, the spill absorbs the pages meanwhile; one intake
thread per region, so a region whose enrichment is throttled does not hold up the others' records). Records
go straight into an external sorter that holds compact serialized lines (never record dicts), so memory stays
flat as tenancies grow.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import orjson

from oci_inventory.diff.diff import DIFF_FILE, DIFF_SUMMARY_FILE, DiffResult, check_inventory, diff_runs, write_diff
from oci_inventory.diff.scope import RunInfo, check_scope, find_latest_complete
from oci_inventory.enrich.base import (
    EnrichContext,
    Enricher,
    EnrichResult,
    Relationship,
    RunContext,
    describe_error,
    enrich_safely,
)
from oci_inventory.enrich.default import SKIP
from oci_inventory.enrich.processes import Enriched, EnrichProcesses, Task, auto_processes
from oci_inventory.enrich.registry import REGISTRY, Registry
from oci_inventory.enrich.relations import IN_COMPARTMENT
from oci_inventory.export.entry import entry_of
from oci_inventory.export.graph import GRAPH_GRAPHML, GraphCounts
from oci_inventory.export.inventory import FOLLOW_MIN_RECORDS, InventoryPaths, write_inventory
from oci_inventory.export.jsonl import dumps_record, write_jsonl
from oci_inventory.export.parquet import ensure_pyarrow
from oci_inventory.export.rundir import RunDirectory
from oci_inventory.export.sorter import ExternalSorter
from oci_inventory.export.summary import RegionOutcome, RunScope, RunSummary, SummaryCounter, api_call_figures
from oci_inventory.identity import bootstrap
from oci_inventory.intake import Batch, InlineBatch, PageEntries
from oci_inventory.intake_processes import ENRICHER_OF, Ack, Entry, IntakeProcesses
from oci_inventory.intake_processes import auto_processes as auto_intake_processes
from oci_inventory.logging import debug_enabled
from oci_inventory.normalize.transform import normalize_record
from oci_inventory.oci.calls import LatencyRecorder
from oci_inventory.oci.clients import ClientFactory, RetryAborted
from oci_inventory.oci.compartments import (
    CompartmentTree,
    fetch_tree_for_run,
    resolve_compartments,
    subtree_ids,
    tree_as_json,
)
from oci_inventory.oci.discovery import (
    TERMINAL_STATES,
    Cancelled,
    Deduplicator,
    PageRejected,
    RegionSearch,
    region_order,
)
from oci_inventory.oci.failures import no_region_completed
from oci_inventory.oci.regions import select_regions
from oci_inventory.oci.search_query import parse_simple, scope_queries
from oci_inventory.progress import Reporter
from oci_inventory.report.digest import InventoryScan
from oci_inventory.report.writer import REPORT_FILES, GenAiPass, write_reports
from oci_inventory.runlog import RUN_LOG, RunLog
from oci_inventory.util import interrupts
from oci_inventory.util.concurrency import BoundedExecutor, Stopped
from oci_inventory.util.errors import OciInvError, UsageError
from oci_inventory.util.memory import relaxed_gc, tune_malloc
from oci_inventory.util.spill import MemoryBudget, Page, PageSpill
from oci_inventory.util.time import MillisClock, iso_z, utc_now

log = logging.getLogger(__name__)

INVENTORY_JSONL = "inventory.jsonl"
INVENTORY_CSV = "inventory.csv"
INVENTORY_PARQUET = "inventory.parquet"
RELATIONSHIPS_JSONL = "relationships.jsonl"
COMPARTMENTS_JSONL = "compartments.jsonl"
RUN_SUMMARY = "run_summary.json"
# Memory of a run (docs/performance.md, "CPU and memory at scale"): the record sorter's buffer (each entry a record
# with its relationships, export/entry.py), plus the Search pages waiting for the intake threads (util/spill.py,
# 24 MiB), plus about 80 MB of interpreter, SDK and buffers.
RECORDS_SORT_MEMORY = 32 * 2**20


@dataclass
class RunOptions:
    outdir: Path
    query: str
    regions: list[str] | None = None
    compartments: list[str] | None = None
    subtree: bool = True
    include_terminated: bool = False
    parquet: bool = False
    csv_raw: bool = False
    prev: Path | None = None
    prev_latest: bool = False  # --prev latest: preflight() sets prev to the newest complete run in outdir, if any
    allow_scope_change: bool = False
    workers_region: int | None = None  # None: every selected region at once
    search_shards: int | None = None  # None: auto; 1: off (see discovery.RegionSearch)
    workers_enrich: int = 24
    enrich_processes: int | None = 0  # None: auto (enrich/processes.py); 0: the main process only
    intake_processes: int | None = 0  # None: auto (intake_processes.py); 0: the main process only
    flags: dict[str, Any] = field(default_factory=dict)
    checked: bool = field(default=False, repr=False)  # set by preflight()
    prev_run: RunInfo | None = field(default=None, repr=False)  # set by preflight()
    no_enrich: bool = False  # discovery only: every record as the DefaultEnricher makes it
    graph: bool = True  # False (--no-graph): no graph.graphml


@dataclass
class RunResult:
    run_dir: Path
    summary: dict[str, Any]
    failed_regions: dict[str, str]
    diff_summary: dict[str, Any] | None = None
    diff_warnings: list[str] = field(default_factory=list)


def preflight(options: RunOptions) -> None:
    """Checks that need no API call: pyarrow for --parquet, the whole --prev inventory against its own summary
    (``--prev latest`` is resolved here first). Runs once per options."""
    if options.checked:
        return
    if options.parquet:
        ensure_pyarrow(load=False)  # the export process writing Parquet imports it
    if options.prev_latest:
        options.prev = find_latest_complete(options.outdir)
    if options.prev is not None:
        options.prev_run = check_inventory(options.prev)
    options.checked = True


class _Run:
    """The mutable state of one run, shared by the worker threads."""

    def __init__(
        self,
        factory: ClientFactory,
        options: RunOptions,
        registry: Registry,
        reporter: Reporter,
        regions: list[str],
        tree: CompartmentTree,
        scope: set[str] | None,
        records: ExternalSorter,
        tmp_dir: Path | None = None,
    ) -> None:
        self.factory = factory
        self.options = options
        self.registry = registry
        self.reporter = reporter
        self.tree = tree
        self.context = RunContext(factory, tree)
        self.scope = scope
        self.records = records
        self.tmp_dir = tmp_dir
        self.budget = MemoryBudget()  # Search pages waiting in memory, all regions together
        self.spills: list[PageSpill] = []
        self.clock = MillisClock()
        self.dedup = Deduplicator(regions, factory.home_region)
        self.counter = SummaryCounter()
        self.cancel = threading.Event()
        self.fatal: BaseException | None = None
        self.failures: dict[str, BaseException] = {}  # region -> why its discovery failed
        self.lock = threading.Lock()
        self.terminated_dropped = 0
        self.out_of_scope = 0
        self.queries = search_queries(options.query, scope)
        self.enrich_started: float | None = None  # monotonic time of the first record queued for an API enricher
        self.enrich_finished: float | None = None  # ... and of the end of the enrichment pool
        self.graph: GraphCounts | None = GraphCounts(0, 0, 0) if options.graph else None
        self.scan: InventoryScan | None = None  # the report's figures of inventory.jsonl, when the export made them
        self.latency = LatencyRecorder()  # enrichment latency per resource type (API enrichers only)
        self.export_s = 0.0  # wall time of writing the inventory and what derives from it (diff included)
        self.pool = BoundedExecutor(
            options.workers_enrich, max_pending=options.workers_enrich * 4, name="enrich", on_error=self.fail
        )
        self.processes = EnrichProcesses(
            self._process_count(), options.workers_enrich, self._process_start, self._enriched, self._given_back
        )
        wanted = options.intake_processes
        self.intake_processes = IntakeProcesses(
            auto_intake_processes() if wanted is None else wanted, tmp_dir, self._intake_start, self._acked, self.build
        )

    def _process_count(self) -> int:
        """Enrichment processes for this run: none without a recipe to sign in again, with another registry than
        the one a child loads, or with --no-enrich."""
        if self.factory.recipe is None or self.registry is not REGISTRY or self.options.no_enrich:
            return 0
        wanted = self.options.enrich_processes
        return auto_processes() if wanted is None else wanted

    def _child_start(self, *, wire: bool, **fields: Any) -> bytes:
        """The first frame to an enrichment or intake process: ``fields``, the tree (``wire``: with the compartments'
        wire objects, which only enrichment reads), the log level, ``--debug``."""
        level = logging.getLogger().getEffectiveLevel()
        tree = tree_as_json(self.tree, wire=wire)
        return orjson.dumps({**fields, "tree": tree, "log_level": level, "debug": debug_enabled()})

    def _process_start(self, threads: int) -> bytes:
        """The first frame to an enrichment process: how to sign in and its threads."""
        recipe = self.factory.recipe
        assert recipe is not None
        return self._child_start(wire=True, recipe=recipe.as_json(), threads=threads)

    def _intake_start(self, directory: Path) -> bytes:
        """The first frame to an intake process: where to write its runs, the sorters' budgets."""
        return self._child_start(
            wire=False, directory=str(directory), records_budget=RECORDS_SORT_MEMORY, graph=self.options.graph
        )

    def _acked(self, ack: Ack) -> None:
        """An intake process's acknowledgement (on its reader thread): its runs, counts and the results it left."""
        if self.cancel.is_set():
            return
        try:
            self.records.adopt(ack.records, ack.record_count)
            self.counter.add_counts(ack.counts)
            for collected_at, entry in ack.rest:
                self.build(collected_at, [entry])
        except BaseException as exc:
            self.fail(exc)

    def build(self, collected_at: str, entries: list[Entry]) -> None:
        """Build summary-only results here (``[region, enrichStatus, summary]`` each, as an intake process would):
        a page no process could take, one a process did not acknowledge, the results a process left."""
        if self.cancel.is_set():
            return
        try:
            batch = InlineBatch(collected_at, self.tree.path_of, prepare=self.options.graph)
            for region, status, item in entries:
                enricher = ENRICHER_OF[status]
                if not batch.add(item, region, enricher):
                    self.process(item, region, enricher)
            batch.flush(self.records, self.counter)
        except BaseException as exc:
            self.fail(exc)

    def _enriched(self, task: Task, enriched: Enriched) -> None:
        """An enrichment process's answer (on its reader thread): the record, as if enriched here."""
        if self.cancel.is_set():
            return
        try:
            self.finish(task.item, task.region, cast(Enricher, task.token), enriched)
        except BaseException as exc:
            self.fail(exc)

    def _given_back(self, tasks: list[Task]) -> None:
        """The records of an enrichment process that ended early: enriched by this process's threads."""
        log.warning("%d records of an enrichment process that ended early are enriched in the main process", len(tasks))
        try:
            for task in tasks:
                self.pool.submit(self.process, task.item, task.region, cast(Enricher, task.token))
        except Stopped:
            pass

    def finish_processes(self) -> None:
        """Wait for the enrichment processes (their records and figures), or kill them when the run stops."""
        if self.cancel.is_set():
            self.processes.stop()
            return
        for stats in self.processes.finish():
            self.factory.retry.calls.merge(stats["calls"])
            self.factory.retry.stats.merge(stats["retries"])
            cpu_s, count = float(stats.get("cpu_s", 0.0)), int(stats.get("records", 0))
            collections = int(stats.get("collections", 0))
            log.info(
                "an enrichment process used %.1f s of CPU for %d records (%d garbage collections)",
                cpu_s, count, collections,
            )  # fmt: skip

    @property
    def enrichment_s(self) -> float:
        """Wall time from the first record queued for an API enricher to the end of enrichment (0: none queued)."""
        if self.enrich_started is None or self.enrich_finished is None:
            return 0.0
        return self.enrich_finished - self.enrich_started

    def fail(self, exc: BaseException) -> None:
        with self.lock:
            if self.fatal is None:
                self.fatal = exc
        self.cancel.set()

    def discover(self, region: str) -> RegionOutcome:
        import oci

        outcome = RegionOutcome(region=region, status="ok")
        started = time.monotonic()
        spill = self._spill()
        intake = threading.Thread(target=self.intake, args=(spill,), name=f"intake-{region}", daemon=True)
        intake.start()
        try:
            self._list_region(region, outcome, spill)
        except (Cancelled, RetryAborted, Stopped):
            outcome.status = "failed"
            outcome.error = "cancelled"
        except oci.exceptions.ServiceError as exc:
            self._region_failed(region, outcome, exc)
            if exc.status == 400:  # on the first page: the service rejected the query itself
                self.fail(
                    UsageError(
                        f"Resource Search rejected the query {self.options.query!r}: {exc.message}",
                        hint="see https://docs.oracle.com/iaas/Content/Search/Concepts/querysyntax.htm",
                    )
                )
        except PageRejected as exc:
            self._region_failed(region, outcome, exc.error)
            outcome.error = f"{outcome.error} (page {exc.page}, after restarting the listing once)"
        except Exception as exc:
            self._region_failed(region, outcome, exc)
            log.debug("discovery failed in %s", region, exc_info=True, extra={"region": region})
        finally:
            spill.close()  # the records of the pages listed so far are kept, even when the region failed
        outcome.duration_s = time.monotonic() - started
        intake.join()
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

    def _spill(self) -> PageSpill:
        spill = PageSpill(self.budget, tmp_dir=self.tmp_dir)
        with self.lock:
            self.spills.append(spill)
        return spill

    def abort_intake(self) -> None:
        """Drop the pages waiting in every spill (the run is being stopped)."""
        with self.lock:
            spills = list(self.spills)
        for spill in spills:
            spill.abort()

    def _list_region(self, region: str, outcome: RegionOutcome, spill: PageSpill) -> None:
        """Search ``region`` to the last page of each of its queries (``RegionSearch``). A 400 on a later page (an
        expired page token) restarts that listing once from page 1; the restart's records and pages replace the
        first attempt's counts, and the OCIDs the first attempt already accepted are passed over
        (see ``Deduplicator``)."""

        def on_page(items: int) -> None:
            outcome.pages += 1
            self.reporter.page(region, items)

        def accept(items: list[dict[str, Any]], relisting: bool, nbytes: int) -> None:
            spill.put(region, items, relisting=relisting, nbytes=nbytes)

        search = RegionSearch(
            self.factory,
            region,
            self.queries,
            shards=self.options.search_shards,
            accept=accept,
            on_page=on_page,
            cancel=self.cancel,
            before_request=spill.reserve,
            on_more=self.intake_processes.expect_many,
        )
        outcome.records, outcome.pages = search.run()

    def _region_failed(self, region: str, outcome: RegionOutcome, exc: BaseException) -> None:
        outcome.status = "failed"
        outcome.error = describe_error(exc)
        with self.lock:
            self.failures[region] = exc

    def intake(self, spill: PageSpill) -> None:
        """A region's intake thread: every page its chains put in ``spill``, in order, record by record
        (``accept``). Ends when the spill is closed and empty, or aborted; an error stops the run."""
        try:
            for page in spill:
                if self.cancel.is_set():
                    break
                self.take(page, spill.consumer_waiting)
        except Stopped:
            pass  # the run is being stopped: the pool refused the record
        except BaseException as exc:
            self.fail(exc)
        finally:
            spill.abort() if self.cancel.is_set() else spill.release()

    def take(self, page: Page, on_wait: Callable[[bool], None]) -> None:
        """One Search page, on its region's intake thread: each result accepted, the records built inline handed
        to the sorters and counters once for the whole page (``InlineBatch``, which makes their GraphML nodes too
        when the run writes a graph: the export writes them as they are), or sent to an intake process."""
        collected_at = self.clock.now()
        remote = self.intake_processes.accepting()
        batch: InlineBatch | PageEntries = (
            PageEntries() if remote else InlineBatch(collected_at, self.tree.path_of, prepare=self.options.graph)
        )
        try:
            for item in page.items:
                self.accept(item, page.region, relisting=page.relisting, on_wait=on_wait, batch=batch)
        finally:  # records already claimed by de-duplication are kept even if the run is being stopped
            if isinstance(batch, InlineBatch):
                self.intake_processes.built_inline(batch.flush(self.records, self.counter))
            elif batch.entries and not self.intake_processes.send(collected_at, batch.entries):
                self.build(collected_at, batch.entries)

    def accept(
        self,
        item: Mapping[str, Any],
        region: str,
        *,
        relisting: bool = False,
        on_wait: Callable[[bool], None] | None = None,
        batch: Batch | None = None,
    ) -> None:
        """One Search result, on its region's intake thread: de-duplicate, drop terminated and out-of-scope
        resources, then build the record inline (no API call; into ``batch`` when it takes it) or hand it to the
        enrichment pool."""
        ocid = item.get("identifier")
        if not ocid or not self.dedup.claim(ocid, region, relisting=relisting):
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
        enricher = self.enricher_for(item, state)
        if not enricher.calls_api:
            if batch is None or not batch.add(item, record_region, enricher):
                self.process(item, record_region, enricher)
            return
        self.reporter.enrich_queued()  # the enrichment bar counts only records that need an API call
        if self.enrich_started is None:
            with self.lock:
                self.enrich_started = self.enrich_started or time.monotonic()
        task = Task(item, record_region, enricher)
        if not self.processes.submit(task, str(item.get("compartmentId") or ""), on_wait):
            self.pool.submit(self.process, item, record_region, enricher, on_wait=on_wait)

    def enricher_for(self, item: Mapping[str, Any], state: str) -> Enricher:
        """The registry's enricher, except: none with --no-enrich, and nothing to get for a terminated resource."""
        if self.options.no_enrich:
            return self.registry.default
        enricher = self.registry.get(str(item.get("resourceType") or ""))
        if enricher.calls_api and state in TERMINAL_STATES:
            return SKIP
        return enricher

    def enrich(self, item: Mapping[str, Any], region: str, enricher: Enricher) -> EnrichResult:
        """The enricher's result; any exception, or a result that breaks the contract, becomes an ERROR result
        (the same inline, in the pool and in an enrichment process)."""
        return enrich_safely(enricher, item, EnrichContext(self.context, region))

    def process(self, item: Mapping[str, Any], region: str, enricher: Enricher) -> None:
        if self.cancel.is_set():
            return
        started = time.perf_counter()
        result = self.enrich(item, region, enricher)
        edges = [r.as_dict() for r in result.relationships]
        enriched = Enriched(result.status, result.details, edges, result.error, time.perf_counter() - started)
        self.finish(item, region, enricher, enriched)

    def finish(self, item: Mapping[str, Any], region: str, enricher: Enricher, enriched: Enriched) -> None:
        """The record of one enriched resource: built, sorted, counted (wherever it was enriched)."""
        if enricher.calls_api:
            self.latency.add(str(item.get("resourceType") or ""), enriched.seconds)
        edges = list(enriched.edges)
        compartment_id = item.get("compartmentId")
        if compartment_id:  # every resource -> its compartment, whatever its enricher
            edges.append(Relationship(IN_COMPARTMENT, str(compartment_id), "Compartment").as_dict())
        record = normalize_record(
            item,
            region=region,
            collected_at=self.clock.now(),
            enrich_status=enriched.status,
            enrich_error=enriched.error,
            details=enriched.details,
            relationships=edges,
            compartment_path=self.tree.path_of(compartment_id),
        )
        self.records.add(record["ocid"], entry_of(record, node=self.options.graph))
        self.counter.add(record)
        if enricher.calls_api:
            self.reporter.enrich_done()


@dataclass(frozen=True)
class _Plan:
    """What one run covers, decided before any Search call."""

    regions: list[str]
    tree: CompartmentTree
    tree_listed: bool  # False when OCI refused to list compartments (paths are then mostly null)
    in_scope: set[str] | None  # compartment OCIDs in scope; None = the whole tenancy
    scope: RunScope
    tenancy_name: str | None


def run_inventory(
    factory: ClientFactory,
    options: RunOptions,
    *,
    reporter: Reporter | None = None,
    registry: Registry = REGISTRY,
    genai: GenAiPass | None = None,
) -> RunResult:
    """Run one inventory and return where it was written. Raises OciInvError subclasses for the CLI to map.
    ``genai``: the GenAI executive summary pass (or its dry run), done before the commit."""
    with relaxed_gc():  # see util/memory.py
        return _run_inventory(factory, options, reporter=reporter, registry=registry, genai=genai)


def _run_inventory(
    factory: ClientFactory,
    options: RunOptions,
    *,
    reporter: Reporter | None,
    registry: Registry,
    genai: GenAiPass | None,
) -> RunResult:
    reporter = reporter or Reporter()
    preflight(options)
    tune_malloc()  # before the run's threads exist: see util/memory.py
    started = utc_now()
    t0 = time.monotonic()
    plan = _plan(factory, options)

    interrupts.note_run_started()
    if not options.no_enrich:
        registry.prewarm()  # the enrichers' SDK packages import while Search pages
    with RunDirectory.create(options.outdir, started) as rundir, RunLog(rundir) as run_log:
        records = ExternalSorter(RECORDS_SORT_MEMORY, tmp_dir=rundir.tmp_path)
        run = _Run(
            factory, options, registry, reporter, plan.regions, plan.tree, plan.in_scope, records, rundir.tmp_path
        )  # fmt: skip
        outcomes = _discover_all(run, plan.regions)
        if run.fatal is not None:
            raise run.fatal
        if outcomes and all(o.status == "failed" for o in outcomes):
            raise no_region_completed(run.failures)  # nothing is committed: exit 3 or 5, never 4

        export_started = time.monotonic()
        files = _write_inventory(rundir, run, plan)
        diff: DiffResult | None = None
        if options.prev_run is not None:
            current = _current_run(
                plan.scope, outcomes, run.counter.total, rundir.file(INVENTORY_JSONL), started=iso_z(started)
            )
            diff = diff_runs(options.prev_run, current, allow_scope_change=options.allow_scope_change)
            write_diff(diff, rundir.tmp_path)
            files += [DIFF_FILE, DIFF_SUMMARY_FILE]
        run.export_s = time.monotonic() - export_started

        files.append(RUN_LOG)
        files += REPORT_FILES
        summary = _summary(factory, run, plan, outcomes, files, started=started, duration_s=time.monotonic() - t0)
        rundir.write_json(RUN_SUMMARY, summary)
        summary = write_reports(
            rundir.tmp_path, summary, name=rundir.name, genai=genai, scan=run.scan
        )  # report.md, report.html
        run_log.finish()  # complete before the commit: a committed run directory is never written again
        with interrupts.deferred():  # a signal during the rename is held: the run is committed and known to be
            final = rundir.commit()
            interrupts.note_committed(final)

    failed = {o.region: o.error or "failed" for o in outcomes if o.status == "failed"}
    return RunResult(final, summary, failed, diff.summary() if diff else None, _diff_warnings(diff))


def _plan(factory: ClientFactory, options: RunOptions) -> _Plan:
    """Regions, the compartment tree and the scope; a scope that differs from ``--prev`` is exit 2 here, before
    discovery, not after it."""
    regions = select_regions(bootstrap(factory), options.regions)
    tenancy = factory.identity().get_tenancy(factory.auth.tenancy_id).data
    # The tree gives every record its compartmentPath and resolves --compartment (None: not allowed to list it).
    listed = fetch_tree_for_run(factory, factory.auth.tenancy_id, required=bool(options.compartments))
    tree = listed if listed is not None else CompartmentTree(factory.auth.tenancy_id, ())
    compartment_ids: list[str] | None = None
    in_scope: set[str] | None = None
    if options.compartments:
        compartment_ids = resolve_compartments(tree, options.compartments)
        in_scope = subtree_ids(tree, compartment_ids, include_subtree=options.subtree)
    scope = RunScope(
        regions=regions,
        query=options.query,
        compartments=compartment_ids,
        subtree=options.subtree,
        include_terminated=options.include_terminated,
    )
    if options.prev_run is not None:
        check_scope(options.prev_run, _current_run(scope, [], 0, None), allow_change=options.allow_scope_change)
    return _Plan(regions, tree, listed is not None, in_scope, scope, getattr(tenancy, "name", None))


def _write_inventory(rundir: RunDirectory, run: _Run, plan: _Plan) -> list[str]:
    """The sorted inventory and everything derived from it, in one pass; returns the names of the files written."""
    options = run.options
    paths = InventoryPaths(
        jsonl=rundir.file(INVENTORY_JSONL),
        csv=rundir.file(INVENTORY_CSV),
        graphml=rundir.file(GRAPH_GRAPHML) if options.graph else None,
        relationships=rundir.file(RELATIONSHIPS_JSONL),
        parquet=rundir.file(INVENTORY_PARQUET) if options.parquet else None,
    )
    written = write_inventory(
        paths,
        run.records.sorted_items(),
        csv_raw=options.csv_raw,
        follow=len(run.records) >= FOLLOW_MIN_RECORDS,
        expected=len(run.records),
    )
    run.records.close()
    run.intake_processes.remove_files()  # the runs the sorters adopted from intake processes
    run.graph = written.graph
    run.scan = written.scan
    files = [INVENTORY_JSONL, INVENTORY_CSV, RUN_SUMMARY] + ([GRAPH_GRAPHML] if options.graph else [])
    if options.parquet:
        files.append(INVENTORY_PARQUET)
    if written.relationships:
        files.append(RELATIONSHIPS_JSONL)
    else:
        paths.relationships.unlink()
    if plan.tree_listed:
        write_jsonl(rundir.file(COMPARTMENTS_JSONL), (dumps_record(c.as_json()) for c in plan.tree.compartments))
        files.append(COMPARTMENTS_JSONL)
    return files


def _summary(
    factory: ClientFactory,
    run: _Run,
    plan: _Plan,
    outcomes: list[RegionOutcome],
    files: list[str],
    *,
    started: datetime,
    duration_s: float,
) -> dict[str, Any]:
    """The content of ``run_summary.json``."""
    summary = RunSummary(
        started_at=started,
        finished_at=utc_now(),
        duration_s=duration_s,
        tenancy_id=factory.auth.tenancy_id,
        tenancy_name=plan.tenancy_name,
        home_region=factory.home_region,
        query=run.options.query,
        flags=run.options.flags,
        regions=outcomes,
        terminated_dropped=run.terminated_dropped,
        duplicates_merged=run.dedup.duplicates,
        out_of_scope_dropped=run.out_of_scope,
        files=files,
        scope=plan.scope,
    )
    summary.apply_counts(run.counter, has_enricher=lambda rtype: run.registry.get(rtype) is not run.registry.default)
    calls = factory.retry.calls
    summary.api_calls = api_call_figures(calls.as_dict(), calls.for_types(), run.counter.total)
    summary.enrichment_s = run.enrichment_s
    data = summary.to_dict()
    data["api_retries"] = factory.retry.stats.as_dict()
    data["timing"] = {
        "discovery_s": {o.region: round(o.duration_s, 3) for o in sorted(outcomes, key=lambda o: o.region)},
        "enrichment_s": round(run.enrichment_s, 3),
        "enrichment_latency_by_type": run.latency.as_dict(),
        "export_s": round(run.export_s, 3),
    }
    data["graph"] = run.graph.as_dict() if run.graph is not None else None  # None: --no-graph
    return data


def _current_run(
    scope: RunScope, outcomes: list[RegionOutcome], total: int, inventory: Path | None, started: str | None = None
) -> RunInfo:
    """This run as one side of its own ``--prev`` diff (its path is null: the run directory is not committed yet)."""
    failed = {o.region: o.error or "failed" for o in outcomes if o.status == "failed"}
    return RunInfo(
        path=None,
        inventory=inventory or Path(INVENTORY_JSONL),
        status="partial" if failed else "complete",
        started_at=started,
        regions=frozenset(scope.regions),
        failed=failed,
        total=total,
        scope=scope,
    )


def _diff_warnings(diff: DiffResult | None) -> list[str]:
    from oci_inventory.diff.render import warning_lines

    return warning_lines(diff) if diff is not None else []


def search_queries(query: str, scope: set[str] | None) -> list[str]:
    """The Search queries of every region: ``query`` itself, or with a compartment scope, ``query`` narrowed by
    ``compartmentId = ... || ...`` in chunks (``search_query.scope_queries``). A query with clauses other than
    ``where``, or a scope of too many chunks, is run whole and the scope is applied to the results only."""
    simple = parse_simple(query) if scope is not None else None
    chunks = scope_queries(simple, scope) if simple is not None and scope is not None else None
    if scope is not None and chunks is None:
        log.info("the compartment scope is applied to the results, not pushed into the Search query")
    return [q.text() for q in chunks] if chunks is not None else [query]


def previous_region_counts(options: RunOptions) -> dict[str, int]:
    """Records per region of the previous run (``--prev``, else the newest complete run in --outdir), or {}."""
    from oci_inventory.diff.scope import find_latest_complete

    try:
        previous = options.prev_run.inventory.parent if options.prev_run is not None else None
        previous = previous or find_latest_complete(options.outdir)
        if previous is None:
            return {}
        data = json.loads((previous / RUN_SUMMARY).read_text(encoding="utf-8"))
        return {str(r["region"]): int(r.get("records") or 0) for r in data.get("regions") or []}
    except (OSError, ValueError, TypeError, KeyError, AttributeError, OciInvError):
        return {}


def _discover_all(run: _Run, regions: list[str]) -> list[RegionOutcome]:
    """Discover every region in parallel and wait for enrichment; on any exception stop the workers promptly."""
    run.reporter.start(regions)
    workers = min(run.options.workers_region or len(regions), len(regions)) or 1
    if workers < len(regions):  # the home region and the largest start first
        regions = region_order(regions, run.factory.home_region, previous_region_counts(run.options))
    region_pool = ThreadPoolExecutor(workers, thread_name_prefix="region")
    try:
        futures = {region_pool.submit(run.discover, region): region for region in regions}
        outcomes = [future.result() for future in as_completed(futures)]
        if run.cancel.is_set():
            run.intake_processes.stop()
        else:
            run.intake_processes.finish()  # every page is taken: the records the intake processes built
        run.finish_processes()  # before the pool: records of a process that ended early go to the pool
        run.pool.join()
        run.enrich_finished = time.monotonic()
        return sorted(outcomes, key=lambda o: o.region)
    except BaseException:
        run.cancel.set()
        run.abort_intake()
        run.factory.retry.stop()
        run.intake_processes.stop()
        run.processes.stop()
        run.pool.stop()
        region_pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        region_pool.shutdown(wait=False)
        run.reporter.stop()


__all__ = ["OciInvError", "RunOptions", "RunResult", "preflight", "run_inventory"]
