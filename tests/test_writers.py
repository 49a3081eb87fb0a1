"""One writer at a time: two runs at once, a summary during a run, a killed run, and the instance settings.

The runs here are real `city-outcomes run` processes on a small city (buildings and their energy
bills, plus the reference feeds), each with its own Dagster instance in a temporary DAGSTER_HOME.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import asdict
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy.exc
import yaml

from city_outcomes import warehouse
from city_outcomes.config import DEMO_CITY_CONFIG, CityConfig
from city_outcomes.demo.generator import render
from city_outcomes.locking import Holder, hold_warehouse, holder_path, lock_path, read_holder, waiting_message
from pipelines.instance_settings import ensure_instance_settings
from pipelines.run import materialize_city
from pipelines.run_tags import PID_TAG, WAREHOUSE_TAG
from tests.conftest import write_city

PROJECT = Path(__file__).resolve().parents[1]
CLI = str(Path(sys.executable).parent / "city-outcomes")
RUN_ID = re.compile(r"Run ([0-9a-f-]{36}) is recorded")


def small_city(folder: Path) -> CityConfig:
    """The demo city's buildings and their bills only: a whole run in a few seconds."""
    demo = yaml.safe_load(DEMO_CITY_CONFIG.read_text())["feeds"]
    city = write_city(folder, feeds={name: demo[name] for name in ("buildings", "building_energy")})
    for relative, content in render():
        if relative.startswith(("facilities/", "building_energy/")):
            (city.inbox_dir / relative).parent.mkdir(parents=True, exist_ok=True)
            (city.inbox_dir / relative).write_bytes(content)
    return city


def environment(home: Path) -> dict[str, str]:
    env = {**os.environ, "DAGSTER_HOME": str(home), "DAGSTER_DISABLE_TELEMETRY": "true"}
    env.pop("CITY_OUTCOMES_CITY", None)
    return env


def start(command: str, city: CityConfig, home: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [CLI, command, "--city", str(city.config_path), *extra], cwd=city.base_dir, env=environment(home),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def finish(process: subprocess.Popen, timeout: float = 300) -> str:
    output, _ = process.communicate(timeout=timeout)
    return output


CLOCK_COLUMNS = {"meta.landed_files": "arrived_at", "meta.current_files": "current_since"}
# A log of the runs that computed each metric table (which run, when, with which code): two runs log twice.
RUN_LOGS = {"meta.metric_runs"}


def warehouse_contents(path: Path) -> dict[str, list]:
    """Every table's rows, in order, leaving out when files arrived and became current (the columns that depend on the clock)."""
    conn = warehouse.connect(path, read_only=True)
    try:
        tables = conn.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_catalog = current_database() ORDER BY 1"
        ).fetchall()
        return {
            table: conn.execute(f"SELECT * EXCLUDE ({CLOCK_COLUMNS[table]}) FROM {table} ORDER BY ALL" if table in CLOCK_COLUMNS else f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            for (table,) in tables
            if table not in RUN_LOGS
        }
    finally:
        conn.close()


def wait_for(condition, timeout: float = 180, what: str = "", interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)


def test_two_runs_at_once_both_succeed_one_after_the_other(tmp_path: Path) -> None:
    city, home = small_city(tmp_path), tmp_path / "dagster_home"
    first, second = start("run", city, home), start("run", city, home)
    outputs = {first.pid: finish(first), second.pid: finish(second)}
    assert first.returncode == 0, outputs[first.pid]
    assert second.returncode == 0, outputs[second.pid]
    run_ids = {pid: RUN_ID.search(output).group(1) for pid, output in outputs.items()}
    # Exactly one of them waited, and said for which run (the other's id and pid) and for what.
    waited = [
        pid for pid, output in outputs.items()
        for other in outputs if other != pid
        if f"Waiting for run {run_ids[other][:8]} (city-outcomes run, pid {other}, started " in output
        and "to finish writing warehouse.duckdb" in output
    ]
    assert len(waited) == 1, outputs
    with dg.DagsterInstance.from_config(str(home)) as instance:
        for run_id in run_ids.values():
            run = instance.get_run_by_id(run_id)
            assert run.status == dg.DagsterRunStatus.SUCCESS
            assert run.tags[WAREHOUSE_TAG] == str(city.warehouse_path)

    # The warehouse they leave is the one a single run leaves.
    both = warehouse_contents(city.warehouse_path)
    assert {"core.building_energy", "core.buildings", "out.building_emissions_monthly", "meta.landed_files"} <= set(both)
    assert len(both["core.building_energy"]) == 4320
    city.warehouse_path.unlink()
    assert materialize_city(city, dg.DagsterInstance.ephemeral()).success
    assert warehouse_contents(city.warehouse_path) == both


@pytest.fixture(scope="module")
def killed_then_rerun(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A run killed with SIGKILL mid-way; then the next run, and a summary started while that run writes."""
    folder = tmp_path_factory.mktemp("killed")
    city, home = small_city(folder), folder / "dagster_home"
    killed = start("run", city, home)
    # Mid-way: the run has begun writing the warehouse.
    wait_for(lambda: city.warehouse_path.exists() or killed.poll() is not None, what="the first run to write")
    assert killed.poll() is None, finish(killed)
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=60)

    with dg.DagsterInstance.from_config(str(home)) as instance:
        (killed_run,) = instance.get_runs()
        status_after_kill = killed_run.status
        rerun = start("run", city, home)

        def rerun_started() -> bool:
            holder = read_holder(city.warehouse_path)
            return (
                (holder is not None and holder.pid == rerun.pid)
                or any(r.run_id != killed_run.run_id and r.status == dg.DagsterRunStatus.STARTED for r in instance.get_runs())
                or rerun.poll() is not None
            )

        # As soon as the next run holds the warehouse (or, without a lock, has started), a summary is asked for.
        wait_for(rerun_started, what="the next run to start")
        summary = start("summary", city, home)
        rerun_output, summary_output = finish(rerun), finish(summary)
        rerun_id = RUN_ID.search(rerun_output).group(1) if RUN_ID.search(rerun_output) else None
        return {
            "city": city, "killed_run": killed_run, "killed_pid": killed.pid, "status_after_kill": status_after_kill,
            "killed_run_now": instance.get_run_by_id(killed_run.run_id),
            "rerun": rerun, "rerun_output": rerun_output, "rerun_id": rerun_id, "summary": summary, "summary_output": summary_output,
        }


def test_a_killed_run_is_marked_failed_by_the_next_run(killed_then_rerun: dict) -> None:
    result = killed_then_rerun
    # Killed with SIGKILL, the run could not report its end...
    assert result["status_after_kill"] == dg.DagsterRunStatus.STARTED
    assert result["killed_run"].tags.get(PID_TAG) == str(result["killed_pid"])
    # ...so the next run marks it failed, and says so.
    assert result["rerun"].returncode == 0, result["rerun_output"]
    assert result["killed_run_now"].status == dg.DagsterRunStatus.FAILURE
    short = result["killed_run"].run_id[:8]
    assert f"Run {short} (job refresh_all) of warehouse.duckdb was still marked started, but its process (pid {result['killed_pid']}) is gone" in result["rerun_output"]
    # The killed run's lock died with it: the next run did not wait for it.
    assert "Waiting" not in result["rerun_output"]


def test_a_summary_during_a_run_waits_and_does_not_break_it(killed_then_rerun: dict) -> None:
    result = killed_then_rerun
    assert result["rerun"].returncode == 0, result["rerun_output"]
    assert result["summary"].returncode == 0, result["summary_output"]
    assert f"Waiting for run {result['rerun_id'][:8]} (city-outcomes run, pid {result['rerun'].pid}, started " in result["summary_output"]
    assert "feeds read" in result["summary_output"] and "building_energy" in result["summary_output"]
    assert len(warehouse_contents(result["city"].warehouse_path)["core.building_energy"]) == 4320


def test_a_run_worker_waits_for_a_cli_run_holding_the_warehouse(tmp_path: Path) -> None:
    """What a run the daemon launches does (it sets up the warehouse resource) while `city-outcomes run` writes.

    The holder lets go only once the run has said it is waiting (a release file), not after a fixed
    sleep: on a loaded machine Dagster's start-up alone can outlast any fixed hold, and the run would
    then never have had to wait.
    """
    city = small_city(tmp_path)
    holder, release = tmp_path / "hold.py", tmp_path / "release"
    holder.write_text(textwrap.dedent(f"""
        import pathlib, sys, time
        from city_outcomes.locking import Holder, hold_warehouse
        with hold_warehouse({str(city.warehouse_path)!r}, Holder.this_process("city-outcomes run", "writing", "feedface-0000")):
            print("holding", flush=True)
            deadline = time.monotonic() + 300
            while not pathlib.Path({str(release)!r}).exists() and time.monotonic() < deadline:
                time.sleep(0.05)
    """))
    process = subprocess.Popen([sys.executable, str(holder)], cwd=PROJECT, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "holding"
    waiting = f"Waiting for run feedface (city-outcomes run, pid {process.pid}, started "
    outcome: dict = {}
    with dg.DagsterInstance.ephemeral() as instance:
        worker = threading.Thread(target=lambda: outcome.update(result=materialize_city(city, instance)))
        worker.start()

        def run_is_waiting() -> bool:
            try:
                return any(waiting in (e.message or "") for run in instance.get_runs() for e in instance.all_logs(run.run_id))
            except sqlalchemy.exc.OperationalError as error:
                # The ephemeral instance is one in-memory SQLite database: a read while the run's thread writes
                # can find a table locked ("database table is locked: runs", seen in CI). Ask again.
                if "locked" in str(error):
                    return False
                raise

        try:
            # Once a second: each look reads the whole event log, from the database the run is writing to.
            wait_for(run_is_waiting, timeout=300, what="the run to say it waits for the holder", interval=1.0)
            released_at = time.time()
        finally:
            release.touch()
            worker.join(timeout=600)
        result = outcome["result"]
        materialized = instance.get_records_for_run(result.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
    process.wait(timeout=30)
    assert result.success
    # It wrote nothing while the other process held the warehouse: every asset landed after the release.
    assert materialized and min(record.event_log_entry.timestamp for record in materialized) >= released_at


def test_a_stale_holder_record_is_not_believed_and_a_killed_holder_does_not_block(tmp_path: Path) -> None:
    target = tmp_path / "warehouse.duckdb"
    # A process holding the OS lock that wrote no record, and a record left by a process long gone.
    script = f"from filelock import FileLock; import time; lock = FileLock({str(lock_path(target))!r}); lock.acquire(); print('locked', flush=True); time.sleep(60)"
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "locked"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    gone = Holder(pid=int(dead), host=socket.gethostname(), command="city-outcomes run", purpose="writing", started_at="2026-01-01T10:00:00+00:00", run_id="0123456789")
    holder_path(target).write_text(json.dumps(asdict(gone)))
    message = waiting_message(target, read_holder(target))
    assert message.startswith(f"Waiting for another process to finish with {target}") and f"pid {dead}, has exited" in message
    holder_path(target).write_text("{half a reco")
    assert read_holder(target) is None

    messages = []
    try:
        with pytest.raises(TimeoutError, match="Gave up after 0.5 s"):
            with hold_warehouse(target, Holder.this_process("test"), timeout=0.5, on_wait=messages.append):
                pass
        assert messages and "left no record" in messages[0]
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    # The OS let go of the killed process's lock: the next holder gets it at once and records itself.
    began = time.monotonic()
    with hold_warehouse(target, Holder.this_process("test", run_id="abc")):
        assert time.monotonic() - began < 2
        assert read_holder(target).pid == os.getpid()
        # Re-entrant within the process: an inner hold neither waits nor rewrites the record.
        with hold_warehouse(target, Holder.this_process("inner"), timeout=0):
            assert read_holder(target).command == "test"
    assert not holder_path(target).exists()


def test_instance_settings_limit_one_run_per_warehouse_and_monitor_runs(tmp_path: Path) -> None:
    # What the Makefile runs, and what the CLI writes, are the same file.
    by_make, by_cli = tmp_path / "make", tmp_path / "cli"
    subprocess.run([sys.executable, "-m", "pipelines.instance_settings", str(by_make)], cwd=PROJECT, check=True)
    subprocess.run(
        [sys.executable, "-c", "from pipelines.cli import _instance; _instance()"], cwd=PROJECT, check=True,
        env={**environment(by_cli)},
    )
    assert (by_make / "dagster.yaml").read_text() == (by_cli / "dagster.yaml").read_text()
    # An instance from an older checkout: only telemetry was set. It gains the rest, and keeps its own settings.
    old = tmp_path / "old"
    old.mkdir()
    (old / "dagster.yaml").write_text("telemetry:\n  enabled: false\nrun_monitoring:\n  poll_interval_seconds: 30\n")
    changes = ensure_instance_settings(old)
    assert any("city_outcomes/warehouse" in change for change in changes)
    assert ensure_instance_settings(old) == []  # idempotent
    assert yaml.safe_load((old / "dagster.yaml").read_text())["run_monitoring"]["poll_interval_seconds"] == 30

    for home in (by_make, old):
        with dg.DagsterInstance.from_config(str(home)) as instance:
            assert instance.run_monitoring_enabled
            assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
            limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
            assert {"key": WAREHOUSE_TAG, "value": {"applyLimitPerUniqueValue": True}, "limit": 1} in limits
            assert instance.telemetry_enabled is False


def test_every_run_the_project_makes_names_its_warehouse(demo_city: CityConfig) -> None:
    from pipelines.definitions import build_definitions

    defs = build_definitions(demo_city)
    for job in ("refresh_all", "monthly_refresh"):  # the UI's launches and the schedule's runs
        assert defs.resolve_job_def(job).tags[WAREHOUSE_TAG] == str(demo_city.warehouse_path)
    sensor = next(s for s in defs.sensors if s.name == "buildings_inbox")
    with dg.DagsterInstance.ephemeral() as instance:
        result = sensor(dg.build_sensor_context(instance=instance, definitions=defs))
    assert result.run_requests[0].tags[WAREHOUSE_TAG] == str(demo_city.warehouse_path)
