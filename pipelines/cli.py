"""The `city-outcomes` command: run a city end to end, generate the demo city, report on a warehouse."""

from __future__ import annotations

import json
import os
import sys
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import dagster as dg
import duckdb
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from city_outcomes import warehouse
from city_outcomes.config import DEMO_CITY_CONFIG, PROJECT_ROOT, CityConfig, city_config_path, load_city_config
from city_outcomes.config_check import check_city_file
from city_outcomes.config_errors import ConfigError
from city_outcomes.demo import DEMO_SEED, generate
from city_outcomes.feeds.inbox import settled_files
from city_outcomes.feeds.quarantine import feed_summary, file_problems, quarantine_sample
from city_outcomes.locking import Holder, WarehouseBusy, display_path, hold_warehouse
from city_outcomes.metrics.catalog import UnknownMetric
from city_outcomes.metrics.community import community_summary
from city_outcomes.metrics.headline import headline_figures
from city_outcomes.metrics.inventory import inventory_by_sector_and_scope
from city_outcomes.metrics.td_losses import td_losses_by_sector
from city_outcomes.trace import Trace, TraceError, trace_metric
from pipelines.instance_settings import ensure_instance_settings

app = typer.Typer(help="city-outcomes: sustainability outcome metrics for city governments.", no_args_is_help=True)
# Piped output (CI logs, `make run | tee`) gets room for the summary table instead of rich's 80 columns.
console = Console(width=None if sys.stdout.isatty() else 110)
CityOption = Annotated[Path | None, typer.Option("--city", help="City configuration file (default: $CITY_OUTCOMES_CITY or the demo city)")]
WaitTimeoutOption = Annotated[
    float | None,
    typer.Option("--wait-timeout", help="Seconds to wait while another process writes the warehouse (default: as long as it takes)"),
]


def _instance() -> dg.DagsterInstance:
    """Dagster's local instance: $DAGSTER_HOME, by default the checkout's .dagster_home (what `make dev` shows)."""
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT / ".dagster_home")))
    # The same settings `make` writes (pipelines/dagster.yaml): no telemetry, one run per warehouse, run monitoring.
    for change in ensure_instance_settings(home):
        console.print(f"Dagster instance settings ({home / 'dagster.yaml'}): {change}", markup=False, soft_wrap=True)
    return dg.DagsterInstance.get()


@contextmanager
def _holding_warehouse(city: CityConfig, command: str, purpose: str, wait_timeout: float | None, run_id: str | None = None) -> Iterator[None]:
    """Hold the city's warehouse (city_outcomes/locking.py), saying what it waits for while another process has it."""
    holder = Holder.this_process(command, purpose, run_id)

    def waiting(message: str) -> None:
        console.print(message, markup=False, soft_wrap=True)

    try:
        with hold_warehouse(city.warehouse_path, holder, wait_timeout, on_wait=waiting):
            yield
    except WarehouseBusy as busy:
        console.print(f"{busy} Try again later, or wait longer with --wait-timeout.", style="red", markup=False, soft_wrap=True)
        raise typer.Exit(code=1) from None


@contextmanager
def _reading(city: CityConfig, command: str, wait_timeout: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse open read-only once no other process writes it (DuckDB refuses a reader beside a writer).

    The hold is brief (a few queries) and keeps a run from failing to open the file while we read it.
    """
    with _holding_warehouse(city, command, "reading", wait_timeout):
        if not city.warehouse_path.exists():
            console.print(f"No warehouse at {display_path(city.warehouse_path)} yet: `city-outcomes run` builds it.", style="red", markup=False, soft_wrap=True)
            raise typer.Exit(code=1)
        conn = warehouse.connect(city.warehouse_path, read_only=True)
        try:
            yield conn
        finally:
            conn.close()


def report_unsettled(city: CityConfig) -> None:
    """Say which inbox files may be left for later because they changed too recently (ingest.settle_seconds);
    each feed's step judges again when it reads its files, and its log says what it left."""
    for name in city.feeds:
        for file in settled_files(city, name)[1]:
            console.print(f"Not reading yet (still being written?): {file.message()}", style="yellow", markup=False, soft_wrap=True)


def report_feed_files(city: CityConfig) -> None:
    """Say which feeds have no file at all: a wrong inbox or glob otherwise passes in silence."""
    if not city.inbox_dir.is_dir():
        console.print(f"The inbox {city.inbox_dir} does not exist (paths.inbox in {city.config_path}).", style="yellow", markup=False, soft_wrap=True)
    claimed: dict[tuple[str, Path], str] = {}
    for name, feed in city.feeds.items():
        files = city.feed_files(name)
        if not files:
            console.print(f"feed {name}: no file matches {feed.path} under {city.inbox_dir} (its `path:`)", style="yellow", markup=False, soft_wrap=True)
        for path in files:
            # Two feeds of one contract write one core table: a file both globs match is counted twice.
            other = claimed.setdefault((feed.contract, path), name)
            if other != name:
                console.print(
                    f"file {path} matches the paths of feeds {other} and {name}, both contract {feed.contract}: its rows are counted twice; narrow one `path:`",
                    style="yellow", markup=False, soft_wrap=True,
                )


def load_city(city: Path | None) -> CityConfig:
    """The city's configuration, or what is wrong with it, one line per problem with its file and line (exit code 2)."""
    try:
        return load_city_config(city_config_path(city))
    except FileNotFoundError as error:
        problems = [str(error)]
    except ConfigError as error:
        problems = [str(issue) for issue in error.issues]
        problems.append(f"{len(error.issues)} problem(s); `city-outcomes check-config {city_config_path(city)}` lists them with the inbox's")
    for problem in problems:
        console.print(problem, style="red", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


@app.command("check-config")
def check_config(file: Annotated[Path | None, typer.Argument(help="City configuration file (default: $CITY_OUTCOMES_CITY or the demo city)")] = None) -> None:
    """Check a city file and its privacy policy without running anything: every problem with its line.

    Exit code 1 if there is any error; warnings (a feed no file matches yet) leave it 0.
    """
    path = city_config_path(file)
    try:
        checked = check_city_file(path, files=True)
    except FileNotFoundError:
        console.print(f"City configuration not found: {path}", style="red", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=1) from None
    for issue in checked.issues:
        console.print(str(issue), style="red" if issue.severity == "error" else "yellow", markup=False, highlight=False, soft_wrap=True)
    errors, warnings_ = len(checked.errors), len(checked.issues) - len(checked.errors)
    if errors:
        console.print(f"{path}: {errors} error(s), {warnings_} warning(s)", style="red", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=1)
    console.print(f"{path}: OK" + (f", {warnings_} warning(s)" if warnings_ else "") + f" ({len(checked.config.feeds)} feeds)", markup=False, highlight=False, soft_wrap=True)


def ensure_demo_inbox(city: CityConfig) -> bool:
    """Generate the demo city's files if this is the demo city and they are absent; True if generated."""
    if city.config_path != DEMO_CITY_CONFIG.resolve() or any(city.inbox_dir.glob("*/*")):
        return False
    generate(city.inbox_dir, seed=DEMO_SEED)
    return True


@app.command()
def run(city: CityOption = None, wait_timeout: WaitTimeoutOption = None) -> None:
    """Ingest every feed, compute metrics and publish the dashboard; then print a summary.

    One process writes a warehouse at a time: a run waits, saying for which run, while another
    process (a run, the Dagster UI's run, a summary) has it.
    """
    warnings.filterwarnings("ignore", category=dg.BetaWarning)
    config = load_city(city)
    run_id = str(uuid.uuid4())
    with _holding_warehouse(config, "city-outcomes run", "writing", wait_timeout, run_id):
        # The instance is opened once the warehouse is ours: two first runs do not create its storage at once.
        _run_city(config, _instance(), run_id)


def _run_city(config: CityConfig, instance: dg.DagsterInstance, run_id: str) -> None:
    """The run itself, once this process holds the warehouse: runs a killed process left behind are marked failed first."""
    from pipelines.run import materialize_city
    from pipelines.stale_runs import fail_abandoned_runs

    for message in fail_abandoned_runs(instance, config.warehouse_path):
        console.print(message, style="yellow", markup=False, soft_wrap=True)
    if ensure_demo_inbox(config):
        console.print(f"Generated the demo city's feeds in {config.inbox_dir}")
    report_unsettled(config)
    report_feed_files(config)
    with console.status(f"Running {config.city.name}: feeds -> contracts -> warehouse -> metrics -> site"):
        result = materialize_city(config, instance, run_id=run_id)
    failed = [event for event in result.all_events if event.is_step_failure]
    if failed:
        for event in failed:
            console.print(f"[red]Step {event.step_key} failed:[/red] {event.event_specific_data.error.message.strip()}")
        raise typer.Exit(code=1)
    failed_checks = [
        e.event_specific_data for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.event_specific_data.passed
    ]
    print_summary(config)
    for check in failed_checks:
        level = "warning" if check.severity == dg.AssetCheckSeverity.WARN else "error"
        console.print(f"[yellow]Check {check.check_name} on {check.asset_key.to_user_string()} did not pass ({level}).[/yellow]")
    console.print(f"Run {result.run_id} is recorded in {os.environ['DAGSTER_HOME']}; `make dev` shows it.")


@app.command()
def summary(city: CityOption = None, wait_timeout: WaitTimeoutOption = None) -> None:
    """Print what the warehouse holds: feeds, rows accepted and quarantined, headline figures."""
    print_summary(load_city(city), wait_timeout)


@app.command()
def quarantine(
    city: CityOption = None,
    feed: Annotated[str | None, typer.Option(help="Only this feed")] = None,
    limit: Annotated[int, typer.Option(help="Rows to show per feed")] = 20,
    wait_timeout: WaitTimeoutOption = None,
) -> None:
    """Show what is quarantined: first the files that could not be read at all and why, then the rows:
    file, row number, the rules broken and the values as the file had them."""
    config = load_city(city)
    if feed is not None and feed not in config.feeds:
        raise typer.BadParameter(f"no feed {feed!r} in {config.config_path}; its feeds: {', '.join(config.feeds)}", param_hint="--feed")
    with _reading(config, "city-outcomes quarantine", wait_timeout) as conn:
        problems = file_problems(conn, feed)
        feeds = [feed] if feed else [f["feed"] for f in feed_summary(conn) if f["rows_quarantined"]]
        if not feeds and not problems:
            console.print("No rows are quarantined.")
        print_file_problems(problems)
        for name in feeds:
            # The lines of unreadable files are listed per file above, not one by one here.
            total, sample = quarantine_sample(conn, name, limit=limit, rows_only=True)
            if not total:
                continue
            console.print(f"{name}: {total} row(s) quarantined" + (f", first {len(sample)}:" if total > len(sample) else ":"), style="bold", markup=False)
            for row in sample:
                console.print(f"  {Path(row['file']).name} row {row['row']}: " + "; ".join(row["rules"]), markup=False, soft_wrap=True)
                console.print(f"    values: {json.dumps(row['values'], ensure_ascii=False)}", style="dim", markup=False, soft_wrap=True)


def print_file_problems(problems: list[dict]) -> None:
    """Per feed, each file that could not be read at all, what is wrong and the setting that fixes it."""
    if not problems:
        return
    console.print("[yellow]Files that could not be read (each line is quarantined under the file's problem; nothing from them is used):[/yellow]")
    for name in dict.fromkeys(problem["feed"] for problem in problems):
        console.print(f"  {name}:", markup=False)
        for problem in (p for p in problems if p["feed"] == name):
            lines = f"{problem['rows_quarantined']} line(s) quarantined"
            console.print(f"    {Path(problem['source_path']).name} ({lines}): {problem['problem']}", markup=False, soft_wrap=True)


@app.command()
def retire(
    feed: Annotated[str, typer.Argument(help="The feed the file was delivered to")],
    file: Annotated[str, typer.Argument(help="The file: its path as delivered, its name, or the start of its SHA-256")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is retired (recorded for auditors)")],
    by: Annotated[str | None, typer.Option("--by", help="Who retires it (default: the login name)")] = None,
    city: CityOption = None,
) -> None:
    """Retire a delivered file: its rows leave the warehouse, recorded in meta.retired_files with who, when and why.

    Removing a file from the inbox never deletes its rows; retiring it does. The same bytes delivered
    again stay retired; a corrected file under the same name is a new delivery.
    """
    from city_outcomes.feeds.current import RetireError, recorded_contract, retire_file
    from city_outcomes.feeds.ingest import core_table
    from data_contracts import get_contract

    config = load_city(city)
    with _holding_warehouse(config, "city-outcomes retire", "writing", None):
        conn = warehouse.connect(config.warehouse_path)
        try:
            # A feed since removed from the configuration can still be retired from: its contract is on record.
            contract = config.feeds[feed].contract if feed in config.feeds else recorded_contract(conn, feed)
            if contract is None:
                raise RetireError(f"no feed {feed!r} in {config.config_path} or in the warehouse; its feeds: {', '.join(config.feeds)}")
            done = retire_file(conn, feed, file, reason, by, core_table(get_contract(contract)))
        except RetireError as error:
            console.print(str(error), style="red", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(code=2) from None
        finally:
            conn.close()
    console.print(
        f"Retired {done.source_path} ({done.sha256[:12]}) from feed {feed}: {done.rows_removed:,} row(s) left core, "
        f"{done.rows_unquarantined:,} quarantined row(s) cleared. Metrics built on it update at the next run (`city-outcomes run`).",
        markup=False, soft_wrap=True,
    )


@app.command()
def contract(
    name: Annotated[str | None, typer.Argument(help="Contract name (omit with --all)")] = None,
    all_contracts: Annotated[bool, typer.Option("--all", help="Every contract")] = False,
    out: Annotated[Path | None, typer.Option(help="Write Markdown here (a folder with --all) instead of printing it")] = None,
) -> None:
    """Print a data contract as a document a city can hand to a department or vendor."""
    from city_outcomes.contract_docs import render_contract
    from data_contracts import all_contracts as every_contract
    from data_contracts import get_contract

    if all_contracts:
        target = out or Path("docs/contracts")
        target.mkdir(parents=True, exist_ok=True)
        for contract_info in every_contract().values():
            (target / f"{contract_info.name}.md").write_text(render_contract(contract_info), encoding="utf-8")
        console.print(f"Wrote {len(every_contract())} contract documents to {target}")
        return
    if not name:
        raise typer.BadParameter("name a contract, or use --all")
    try:
        info = get_contract(name)
    except KeyError as error:
        raise typer.BadParameter(error.args[0], param_hint="NAME") from None
    text = render_contract(info)
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        typer.echo(text)


@app.command()
def reconcile(
    against: Annotated[str, typer.Option("--against", help="The published feed to compare the inventory with (a feed of contract published_emissions)")],
    city: CityOption = None,
    period: Annotated[str | None, typer.Option("--period", help="2023, 2023-01 or 2023-01..2023-05 (default: the inventory's months)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the reconciliation as JSON, for machines")] = False,
    wait_timeout: WaitTimeoutOption = None,
) -> None:
    """Compare the inventory with the city's own published figures, per month and source, attributing every
    difference to factor, activity (the meters or facilities named), boundary or rounding.

    Reads the warehouse only; `city-outcomes run` writes the same comparison to out.inventory_reconciliation.
    """
    from city_outcomes.metrics.reconciliation import PUBLISHED_CONTRACT, ReconciliationError, parse_period
    from city_outcomes.metrics.reconciliation import reconcile as compare

    config = load_city(city)
    feeds = [name for name, feed in config.feeds.items() if feed.contract == PUBLISHED_CONTRACT]
    if against not in feeds:
        known = f"its feeds of contract {PUBLISHED_CONTRACT}: {', '.join(feeds)}" if feeds else f"it has no feed of contract {PUBLISHED_CONTRACT}"
        raise typer.BadParameter(f"no published feed {against!r} in {config.config_path}; {known}", param_hint="--against")
    try:
        months = parse_period(period) if period else None
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--period") from None
    with _reading(config, "city-outcomes reconcile", wait_timeout) as conn:
        try:
            result = compare(conn, against, months)
        except ReconciliationError as error:
            console.print(str(error), style="red", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(code=1) from None
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return
    print_reconciliation(config, result)


def print_reconciliation(city: CityConfig, result) -> None:  # noqa: ANN001 (a Reconciliation; imported lazily)
    """The reconciliation as a table (one row per month and source) and, below it, each line's explanation."""
    title = f"{city.city.name}: inventory against {result.feed}, {result.start_month:%Y-%m} to {result.last_month:%Y-%m} (tCO2e)"
    table = Table(title=escape(title))
    # Activity quantities are in the JSON and in out.inventory_reconciliation; the table keeps to tCO2e to fit a terminal.
    # Rounding is in the explanation below (where it is not 0), the JSON and the table.
    for column in ("month", "source", "verdict", "ours", "published", "difference", "factor", "activity", "boundary"):
        table.add_column(column, justify="left" if column in ("month", "source", "verdict") else "right", no_wrap=True)

    for line in result.lines:
        share = f" ({line.difference_share:+.1%})" if line.difference_share is not None else ""
        table.add_row(
            f"{line.period_month:%Y-%m}", escape(line.source), escape(line.verdict),
            f"{line.inventory_tonnes:,.2f}", f"{line.published_tonnes:,.2f}", f"{line.difference_tonnes:+,.2f}{share}",
            f"{line.factor_tonnes:+,.2f}", f"{line.activity_tonnes:+,.2f}", f"{line.boundary_tonnes:+,.2f}",
            style=None if line.verdict == "matches" else "yellow",
        )
    # Ten columns of figures: piped output gets room for them (a terminal's width is its own).
    Console(width=None if sys.stdout.isatty() else 130).print(table)
    for line in result.lines:
        if line.verdict != "matches" or line.named:
            console.print(f"{line.period_month:%Y-%m} {line.source}: {line.explanation}", markup=False, highlight=False, soft_wrap=True)
    if result.not_compared:
        months = ", ".join(f"{m:%Y-%m}" for m in result.not_compared)
        console.print(f"Published months outside the compared period, not compared: {months}", style="dim", markup=False, soft_wrap=True)


@app.command()
def demo(
    out: Annotated[Path | None, typer.Option(help="Folder to write into (default: the demo city's inbox)")] = None,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same bytes")] = DEMO_SEED,
) -> None:
    """Generate the demo city's feed files."""
    target = out or load_city_config(DEMO_CITY_CONFIG).inbox_dir
    for path in generate(target, seed=seed):
        console.print(str(path))


@app.command()
def trace(
    metric: Annotated[str, typer.Argument(help="A metric of the catalog, e.g. building_co2e_tonnes")],
    period: Annotated[str | None, typer.Option(help="A year (2023) or a month (2023-05)")] = None,
    where: Annotated[list[str] | None, typer.Option(help="KEY=VALUE on one of the metric's dimensions; repeat for more")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the trace as JSON, for machines")] = False,
    city: CityOption = None,
    wait_timeout: WaitTimeoutOption = None,
) -> None:
    """Follow one published number down to its sources: the catalog entry, the SQL file, each factor
    applied, the activity rows (feed, file, SHA-256, row numbers), contract versions, code version and run."""
    config = load_city(city)
    filters: dict[str, str] = {}
    for item in where or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--where")
        filters[key.strip()] = value.strip()
    with _reading(config, "city-outcomes trace", wait_timeout) as conn:
        try:
            result = trace_metric(conn, metric, period, filters)
        except (UnknownMetric, TraceError) as error:
            console.print(str(error), style="red", markup=False, soft_wrap=True)
            raise typer.Exit(code=2) from None
    if as_json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False, default=str))
        return
    print_trace(result)


export_app = typer.Typer(help="Write a published table in a reporting format.", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("gpc")
def export_gpc(
    year: Annotated[int | None, typer.Option(help="One inventory year (default: every year of the inventory)")] = None,
    out: Annotated[Path | None, typer.Option(help="Folder to write into (default: the site's gpc/ folder)")] = None,
    city: CityOption = None,
    wait_timeout: WaitTimeoutOption = None,
) -> None:
    """Write the community inventory as a GPC reporting table (CSV and XLSX), the shape CDP-ICLEI Track and CIRIS take."""
    from city_outcomes.publish.gpc_export import ExportError, write_gpc_export

    config = load_city(city)
    target = out or config.site_dir / "gpc"
    with _reading(config, "city-outcomes export gpc", wait_timeout) as conn:
        try:
            written = write_gpc_export(conn, config, target, year)
        except ExportError as error:
            console.print(str(error), style="red", markup=False, soft_wrap=True)
            raise typer.Exit(code=2) from None
    console.print(f"{written.lines:,} GPC line(s) written:", markup=False)
    for path in written.files:
        console.print(f"  {path}", markup=False, highlight=False, soft_wrap=True)


def print_trace(result: Trace) -> None:
    """A trace as an indented tree, for a reader."""
    entry = result.metric
    lines = [
        f"{entry['title']} ({entry['name']}): {result.value:,.6g} {result.unit}" if result.value is not None else f"{entry['title']} ({entry['name']}): no value",
        f"  selection: period {result.period or 'all'}" + "".join(f", {k} = {v}" for k, v in result.filters.items()) + f"; {result.rows:,} row(s) of {entry['table']}",
        f"  catalog: family {entry['family']}, owner {entry['owner']}; grain {', '.join(entry['grain'])}",
        f"  method: {entry['description']}",
        *(f"  caveat: {caveat}" for caveat in entry["caveats"]),
        f"  formula: {result.formula['file']} (sha256 {result.formula['sha256'][:16]}...), inputs {', '.join(entry['inputs'])}",
    ]
    lines += [f"  parameter: {name} = {', '.join(values)}" for name, values in result.parameters.items()]
    for factor in result.factors:
        shown = ", ".join(f"{k} {v}" for k, v in factor.items() if v is not None)
        lines.append(f"  factor: {shown}")
    lines.append(f"  activity rows: {sum(s.rows for s in result.sources):,} in {len(result.sources)} file(s)")
    for source in result.sources:
        lines.append(f"    feed {source.feed} (contract {source.contract} v{source.contract_version}): {source.source_path}")
        lines.append(f"      sha256 {source.file_sha256}; landed at {source.landed_path}")
        lines.append(f"      {source.rows:,} row(s): {source.row_numbers}")
    for run in result.runs:
        lines.append(f"  computed {run['computed_at']:%Y-%m-%d %H:%M} UTC by run {run['run_id']} with {run['code_version']} (months {run['period_from']} to {run['period_until']})")
    if not result.runs:
        lines.append("  computed: no run recorded (the table predates run records: `city-outcomes run` records one)")
    lines.append(f"  code now: {result.code_version_now}")
    for line in lines:
        console.print(line, markup=False, highlight=False, soft_wrap=True)


def print_summary(city: CityConfig, wait_timeout: float | None = None) -> None:
    """Feeds read (rows read, written, quarantined, filtered out, held for other months), headline figures, and where the site is."""
    with _reading(city, "city-outcomes summary", wait_timeout) as conn:
        feeds = feed_summary(conn)
        problems = file_problems(conn)
        headline = headline_figures(conn, city)
        inventory = inventory_by_sector_and_scope(conn)
        td_losses = td_losses_by_sector(conn)
        community = community_summary(conn)
    # Names are text, not rich markup: a "[/x]" in a city's name must print as written.
    table = Table(title=escape(f"{city.city.name}: feeds read"))
    for column in ("feed", "contract", "files", "read", "written", "quarantined", "filtered out", "other months"):
        table.add_column(column, justify="left" if column in ("feed", "contract") else "right", no_wrap=True)
    for feed in feeds:
        style = "yellow" if feed["rows_quarantined"] else None
        table.add_row(
            escape(feed["feed"]), f"v{feed['contract_version']}", str(feed["files"]),
            f"{feed['rows_read']:,}", f"{feed['rows_written']:,}", f"{feed['rows_quarantined']:,}", f"{feed['rows_filtered']:,}", f"{feed['rows_other_months']:,}", style=style,
        )
    console.print(table)
    print_file_problems(problems)
    for gone in (f["feed"] for f in feeds if f["feed"] not in city.feeds):
        console.print(
            f"feed {gone} is no longer in {city.config_path}, but the warehouse still holds its rows: "
            f"`city-outcomes retire {gone} FILE --reason ...` takes a file's rows out.",
            style="yellow", markup=False, soft_wrap=True,
        )
    if any(feed["rows_quarantined"] for feed in feeds):
        command = ".venv/bin/city-outcomes quarantine" + ("" if city.config_path == DEMO_CITY_CONFIG.resolve() else f" --city {city.config_path}")
        console.print(f"[yellow]Some rows were quarantined (not used in any figure): `{command}` lists them with the rules they broke.[/yellow]", soft_wrap=True)
    # Baseline against the latest complete year only (city_outcomes/metrics/completeness.py), as the dashboard.
    if headline is not None and headline.baseline_year is None:
        console.print("Municipal buildings: no complete year of bills yet, so no change is shown.")
    elif headline is not None and headline.latest_year is None:
        console.print(
            f"Municipal buildings ({headline.buildings}): {headline.baseline_tonnes:,.0f} tCO2e in {headline.baseline_year} (baseline); "
            "no later complete year to compare it with."
        )
    elif headline is not None:
        console.print(
            f"Municipal buildings ({headline.buildings}): {headline.baseline_tonnes:,.0f} tCO2e in {headline.baseline_year} (baseline), "
            f"{headline.latest_tonnes:,.0f} tCO2e in {headline.latest_year} ({headline.change:+.1%})."
        )
    for year in headline.not_compared if headline else []:
        latest = " (the latest year)" if year is headline.not_compared[-1] and year.year > (headline.latest_year or 0) else ""
        console.print(f"[yellow]{year.year}{latest} is incomplete, not compared: {year.reason}.[/yellow]", soft_wrap=True)
    print_inventory(inventory, td_losses)
    if community:
        console.print(community, markup=False, highlight=False, soft_wrap=True)
    console.print(f"Warehouse: {city.warehouse_path}")
    console.print(f"Dashboard: [bold]{city.site_dir / 'index.html'}[/bold]")


def print_inventory(rows: list[dict], td_losses: list[dict] | None = None) -> None:
    """The municipal inventory of the latest year by sector and scope (t CO2e), and each year's total; the scope 3
    T&D losses (where the city reports them) in a column of their own, not in the totals."""
    if not rows:
        return
    latest = max(row["inventory_year"] for row in rows)
    months = max(row["months"] for row in rows if row["inventory_year"] == latest)
    losses = {row["sector"]: row["co2e_tonnes"] for row in td_losses or [] if row["inventory_year"] == latest}
    # Short headers, explained in the caption, so that the table fits a 100-column terminal.
    caption = "loc.: location-based (the totals' method); mkt.: market-based" + ("; scope 3 T&D losses are not in the totals" if losses else "")
    table = Table(title=f"Municipal operations inventory {latest}" + (f" ({months} months)" if months < 12 else "") + ", t CO2e", caption=caption)
    columns = ["sector", "scope 1", "scope 2 loc.", "scope 2 mkt.", "total loc."] + (["scope 3 T&D"] if losses else [])
    for column in columns:
        table.add_column(column, justify="left" if column == "sector" else "right", no_wrap=True)
    year_rows = [row for row in rows if row["inventory_year"] == latest]
    for sector in sorted({row["sector"] for row in year_rows}):
        def figure(scope: int, column: str = "co2e_tonnes", sector: str = sector) -> float:
            return sum(r[column] for r in year_rows if r["sector"] == sector and r["scope"] == scope)
        cells = [escape(sector), f"{figure(1):,.1f}", f"{figure(2):,.1f}", f"{figure(2, 'co2e_tonnes_market'):,.1f}", f"{figure(1) + figure(2):,.1f}"]
        table.add_row(*cells, *([f"{losses.get(sector, 0.0):,.1f}"] if losses else []))
    console.print(table)
    totals = {}
    for row in rows:
        totals[row["inventory_year"]] = totals.get(row["inventory_year"], 0.0) + row["co2e_tonnes"]
    console.print("Inventory totals (location-based): " + ", ".join(f"{year} {total:,.0f} t CO2e" for year, total in sorted(totals.items())) + ".")
    if td_losses:
        by_year: dict[int, float] = {}
        for row in td_losses:
            by_year[row["inventory_year"]] = by_year.get(row["inventory_year"], 0.0) + row["co2e_tonnes"]
        console.print("Scope 3 T&D losses (city.td_losses), beside the totals, not in them: "
                      + ", ".join(f"{year} {total:,.1f} t CO2e" for year, total in sorted(by_year.items())) + ".")


if __name__ == "__main__":
    app()
