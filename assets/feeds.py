"""Feed assets: one per configured feed, built from configuration by one factory.

Each asset lands its feed's files, checks every row against the feed's contract and writes the
accepted rows to ``core.<contract>``; its checks show in the Dagster UI whether the rows add up
and what the contract quarantined.
"""


import hashlib
import json
from datetime import date
from pathlib import Path

import dagster as dg

from city_outcomes.config import CityConfig
from city_outcomes.feeds.inbox import changed_files, settled_state
from city_outcomes.feeds.ingest import FeedOutcome, ingest_feed
from city_outcomes.feeds.privacy import PrivacyPolicy, needs_tract_boundaries
from city_outcomes.feeds.quarantine import quarantine_rules_by_file
from city_outcomes.feeds.reconcile import reconciliation_failures
from data_contracts import get_contract
from pipelines.resources import WarehouseResource
from pipelines.run_tags import warehouse_tags

REFERENCE_CONTRACTS = {"emission_factors", "global_warming_potentials"}


def monthly_partitions(city: CityConfig) -> dg.MonthlyPartitionsDefinition:
    """Monthly partitions from the city's first reporting month to the last complete month, cut at
    midnight on the city's clock (a trip at 23:30 on 31 January, local time, is January's)."""
    return dg.MonthlyPartitionsDefinition(start_date=city.city.first_month.isoformat(), timezone=city.city.timezone or "UTC")


def partition_months(context: dg.AssetExecutionContext) -> tuple[date, date] | None:
    """The half-open month range [start, end) a partitioned run covers (one or many partitions)."""
    if not context.has_partition_key and not context.has_partition_key_range:
        return None
    window = context.partition_time_window
    return window.start.date(), window.end.date()


def feed_key(feed_name: str) -> dg.AssetKey:
    return dg.AssetKey(["core", feed_name])


def _outcome_metadata(outcome: FeedOutcome) -> dict[str, dg.MetadataValue]:
    # Counts, file names and rules only: values never go into Dagster's event log.
    files = "\n".join(
        f"| {md_cell(f.source_path.name)} | `{f.sha256[:12]}` | {f.rows_read} | {f.rows_written} | {f.rows_quarantined} | {f.rows_filtered} "
        f"| {f.rows_other_months}{' (' + ', '.join(f.other_months[:6]) + ('…' if len(f.other_months) > 6 else '') + ')' if f.other_months else ''} "
        f"| {md_cell(f.file_error or '')} |"
        for f in outcome.files
    )
    skipped = "\n".join(f"- {md_cell(s.path.name)}: {md_cell(s.reason)}" for s in outcome.skipped)
    return {
        "contract": dg.MetadataValue.text(f"{outcome.contract} v{outcome.contract_version}"),
        "rows_read": dg.MetadataValue.int(outcome.rows_read),
        "rows_written": dg.MetadataValue.int(outcome.rows_written),
        "rows_quarantined": dg.MetadataValue.int(outcome.rows_quarantined),
        "rows_held_for_other_months": dg.MetadataValue.int(outcome.rows_other_months),
        "rows_filtered": dg.MetadataValue.int(outcome.rows_filtered),
        "dagster/row_count": dg.MetadataValue.int(outcome.rows_written),
        "files": dg.MetadataValue.md(
            "| file | sha256 | read | written | quarantined | filtered | held for other months | error |\n|---|---|---|---|---|---|---|---|\n" + files
        ),
        **({"skipped_files": dg.MetadataValue.md(skipped)} if skipped else {}),
    }


def md_cell(text: str) -> str:
    """Text from a file or its name, safe inside a Markdown table cell in the Dagster UI."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def _upstream_feeds(city: CityConfig, feed_name: str) -> list[dg.AssetKey]:
    """Feeds this one needs first: tract boundaries, where coordinates are coarsened to tracts, and
    the feeds its lookups read from core (``lookup: {…: {from: {feed: …}}}``)."""
    feed = city.feeds[feed_name]
    lookups = [feed_key(lookup.source.feed) for lookup in feed.lookup.values() if lookup.source.feed]
    if not needs_tract_boundaries(get_contract(feed.contract), PrivacyPolicy.load(city)):
        return lookups
    return [*(feed_key(name) for name, other in city.feeds.items() if other.contract == "census_tract_boundaries"), *lookups]


def build_feed_asset(city: CityConfig, feed_name: str) -> dg.AssetsDefinition:
    """The asset that ingests one configured feed."""
    feed = city.feeds[feed_name]
    contract = get_contract(feed.contract)
    time_based = contract.time_column is not None

    @dg.asset(
        key=feed_key(feed_name),
        group_name="reference" if feed.contract in REFERENCE_CONTRACTS else "feeds",
        description=f"{contract.title} (contract {contract.name} v{contract.version}). {feed.description}".strip(),
        partitions_def=monthly_partitions(city) if time_based else None,
        backfill_policy=dg.BackfillPolicy.single_run() if time_based else None,
        kinds={"duckdb", feed.format},
        deps=_upstream_feeds(city, feed_name),
        metadata={"contract": contract.name, "contract_version": contract.version, "source_glob": feed.path},
    )
    def _feed(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        with warehouse.connect() as conn:
            outcome = ingest_feed(conn, city, feed_name, partition_months(context) if time_based else None)
        for skipped in outcome.skipped:
            context.log.warning(f"feed {feed_name}, file {skipped.path}: not read in this run: {skipped.reason}")
        for file in outcome.files:
            if file.file_error:
                lines = f"all {file.rows_read} line(s) quarantined" if file.rows_read else "it has no line to quarantine"
                context.log.error(f"{file.file_error} ({lines})")
            elif file.rows_quarantined:
                context.log.warning(f"feed {feed_name!r}, file {file.source_path}: {file.rows_quarantined} of {file.rows_read} row(s) quarantined")
        for rule, count in outcome.top_rules:
            context.log.warning(f"feed {feed_name}: {count} row(s) under the rule \"{rule}\"; see `city-outcomes quarantine`")
        return dg.MaterializeResult(metadata=_outcome_metadata(outcome))

    return _feed


def build_feed_checks(city: CityConfig, feed_name: str) -> list[dg.AssetChecksDefinition]:
    """Checks on a feed: its rows add up (blocking), and what its contract quarantined (a warning)."""
    key = feed_key(feed_name)

    contract = get_contract(city.feeds[feed_name].contract)

    @dg.asset_check(
        asset=key,
        name="rows_reconcile",
        blocking=True,
        description="Per file: rows read = rows written + quarantined + filtered + held for other months, checked against the rows "
        "really in core (by file hash and row) and in the quarantine; no row both stored and quarantined; no stored row from a file that is not current.",
    )
    def _reconcile(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as conn:
            failures = reconciliation_failures(conn, feed_name, contract)
        sample = [{k: str(v) for k, v in failure.items()} for failure in failures[:10]]
        return dg.AssetCheckResult(
            passed=not failures,
            description="; ".join(f"{Path(f['source_path']).name}: {f['problem']}" for f in failures[:5]) or None,
            metadata={"files_failing": len(failures), "sample": dg.MetadataValue.json(sample)},
        )

    @dg.asset_check(asset=key, name="contract_clean", description="Warns when the feed's contract quarantined rows: per file, how many, their first row numbers and the rules they broke (values stay in meta.quarantine).")
    def _clean(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as conn:
            total = conn.execute("SELECT count(*) FROM meta.quarantine WHERE feed = ?", [feed_name]).fetchone()[0]
            by_file = quarantine_rules_by_file(conn, feed_name)
        return dg.AssetCheckResult(
            passed=total == 0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"rows_quarantined": total, "by_file": dg.MetadataValue.json(by_file)},
        )

    return [_reconcile, _clean]


def build_inbox_sensor(city: CityConfig, feed_name: str) -> dg.SensorDefinition:
    """A sensor that ingests a feed when a file arrives in (or changes in, or leaves) its inbox.

    A file changed within the settling time (``ingest.settle_seconds``) may still be being copied in:
    the sensor waits for it, saying so in its skip reason, and asks for a run of the files that are
    ready if any changed.
    """
    key = feed_key(feed_name)
    time_based = get_contract(city.feeds[feed_name].contract).time_column is not None

    @dg.sensor(
        name=f"{feed_name}_inbox",
        asset_selection=[key],
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description=f"Ingests {feed_name} when its inbox ({city.feeds[feed_name].path}) changes.",
    )
    def _sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
        state, unsettled = settled_state(city, feed_name, context.cursor)
        changed = changed_files(context.cursor, state)
        waiting = "; ".join(file.message() for file in unsettled)
        if not changed:
            return dg.SkipReason(waiting or f"No new or changed files for {feed_name}")
        tags = {}
        if time_based:
            # A new file may hold any month: refresh every month in one run (months that did not change are rewritten unchanged).
            months = monthly_partitions(city).get_partition_keys()
            tags = {"dagster/asset_partition_range_start": months[0], "dagster/asset_partition_range_end": months[-1]}
        # The warehouse tag: the run queue lets one run at a time write this warehouse.
        tags.update({"city_outcomes/city": city.city.name, **warehouse_tags(city), "city_outcomes/changed_files": ", ".join(changed)[:1000]})
        if unsettled:
            tags["city_outcomes/unsettled_files"] = ", ".join(str(file.path) for file in unsettled)[:1000]
            context.log.info(f"Requesting a run for the settled files; still waiting: {waiting}")
        run = dg.RunRequest(run_key=f"{feed_name}:{hash_state(state)}", asset_selection=[key], tags=tags)
        return dg.SensorResult(run_requests=[run], cursor=json.dumps(state, sort_keys=True))

    return _sensor


def hash_state(state: dict) -> str:
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:16]
