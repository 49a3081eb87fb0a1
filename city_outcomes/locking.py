"""One process at a time on a warehouse: an inter-process lock beside the DuckDB file, and who holds it.

DuckDB lets one process write a database file, and refuses a read-only open while another process
writes (and a write while another reads). Every process that opens the warehouse therefore takes
this lock first: a writer for its whole run, a reader for its few queries. The lock is the
operating system's (``flock`` through filelock), so it is released when its process dies, however it
dies. Beside it, a small JSON record says who holds it (run id, pid, host, command, start time) so a
waiter can say what it waits for; that record is only advice, checked against the process table
before it is believed, and never decides who may proceed.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout

LOCK_SUFFIX = ".lock"
HOLDER_SUFFIX = ".lock.json"
# How often a waiter re-reads the holder record (a new holder is announced) and retries the lock.
POLL_SECONDS = 0.5


class WarehouseBusy(TimeoutError):
    """The warehouse stayed locked by another process for longer than the caller would wait."""


def lock_path(warehouse_path: Path | str) -> Path:
    """The lock file beside a warehouse file."""
    path = Path(warehouse_path).resolve()
    return path.with_name(path.name + LOCK_SUFFIX)


def holder_path(warehouse_path: Path | str) -> Path:
    """The JSON record of who holds a warehouse's lock."""
    path = Path(warehouse_path).resolve()
    return path.with_name(path.name + HOLDER_SUFFIX)


def process_start_token(pid: int) -> str | None:
    """When process ``pid`` started, as the kernel counts it (Linux), to tell a reused pid from the original.

    None where the process table cannot say (not Linux, or no such process).
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces; field 22 is the start time.
    fields = stat[stat.rfind(")") + 2:].split()
    return fields[19] if len(fields) > 19 else None


def process_alive(pid: int, start_token: str | None = None) -> bool:
    """Whether process ``pid`` (on this host) still runs and, given ``start_token``, is the same process."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    if start_token is not None:
        current = process_start_token(pid)
        if current is not None and current != start_token:
            return False  # the pid was reused by a later process
    return True


@dataclass(frozen=True)
class Holder:
    """Who holds (or waits for) a warehouse: enough for another process to say what it waits for."""

    pid: int
    host: str
    command: str
    purpose: str  # "writing" or "reading"
    started_at: str  # ISO 8601, local time with its offset
    run_id: str | None = None
    process_start: str | None = None

    @classmethod
    def this_process(cls, command: str, purpose: str = "writing", run_id: str | None = None) -> Holder:
        """A record of the current process."""
        pid = os.getpid()
        return cls(
            pid=pid, host=socket.gethostname(), command=command, purpose=purpose,
            started_at=datetime.now().astimezone().isoformat(timespec="seconds"),
            run_id=run_id, process_start=process_start_token(pid),
        )

    @classmethod
    def from_json(cls, text: str) -> Holder | None:
        """A record read back, or None if it is not one (half-written, edited, another version)."""
        try:
            raw = json.loads(text)
            holder = cls(
                pid=raw["pid"], host=raw["host"], command=raw["command"], purpose=raw["purpose"],
                started_at=raw["started_at"], run_id=raw.get("run_id"), process_start=raw.get("process_start"),
            )
            datetime.fromisoformat(holder.started_at)
        except (ValueError, TypeError, KeyError, AttributeError):
            return None
        if not (isinstance(holder.pid, int) and all(isinstance(v, str) for v in (holder.host, holder.command, holder.purpose))):
            return None
        return holder

    def is_alive(self) -> bool | None:
        """Whether the recorded process still runs: None when it ran on another host (cannot tell from here)."""
        if self.host != socket.gethostname():
            return None
        return process_alive(self.pid, self.process_start)

    def describe(self) -> str:
        """E.g. ``run 1a2b3c4d (city-outcomes run, pid 123, started 18:40:02)``."""
        started = datetime.fromisoformat(self.started_at)
        when = started.strftime("%H:%M:%S") if started.date() == datetime.now(started.tzinfo).date() else started.strftime("%Y-%m-%d %H:%M:%S")
        where = "" if self.host == socket.gethostname() else f" on {self.host}"
        details = f"{self.command}, pid {self.pid}{where}, started {when}"
        return f"run {self.run_id[:8]} ({details})" if self.run_id else f"{self.command} ({details})"


def read_holder(warehouse_path: Path | str) -> Holder | None:
    """The recorded holder of a warehouse's lock, or None if there is no readable record."""
    try:
        return Holder.from_json(holder_path(warehouse_path).read_text(encoding="utf-8"))
    except OSError:
        return None


def waiting_message(warehouse_path: Path | str, holder: Holder | None) -> str:
    """What a waiter tells its user, from the holder record as far as it can be believed."""
    shown = display_path(warehouse_path)
    if holder is None:
        return f"Waiting for another process to finish with {shown} (it left no record of who it is)…"
    if holder.is_alive() is False:
        # The lock is held (the OS says so) but not by the recorded process: a holder that had no time to
        # write its record yet, or a program that does not write one.
        return f"Waiting for another process to finish with {shown} (the last recorded holder, pid {holder.pid}, has exited)…"
    return f"Waiting for {holder.describe()} to finish {holder.purpose} {shown}…"


def busy_message(warehouse_path: Path | str, holder: Holder | None) -> str:
    """Who still has the warehouse, for a waiter that gives up."""
    shown = display_path(warehouse_path)
    if holder is None or holder.is_alive() is False:
        return f"another process still has {shown}"
    return f"{holder.describe()} is still {holder.purpose} {shown}"


def display_path(path: Path | str) -> str:
    """A path relative to the working directory where it is inside it (shorter messages), else absolute."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _file_lock(warehouse_path: Path | str) -> FileLock:
    # One lock object per path in a process (is_singleton) whose hold is shared by its threads
    # (thread_local=False): a run that already holds the warehouse re-enters instead of waiting for itself.
    return FileLock(lock_path(warehouse_path), thread_local=False, is_singleton=True)


@contextmanager
def hold_warehouse(
    warehouse_path: Path | str,
    holder: Holder,
    timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the warehouse's lock for the block, waiting for another process's hold to end first.

    Re-entrant within a process: an inner hold (a run's resource inside the CLI's hold, a summary
    printed at the end of a run) returns at once, and only the outermost one records its holder.
    ``on_wait`` gets a message each time the process waited for changes; ``timeout`` (seconds, None
    for no limit) ends the wait with :class:`WarehouseBusy`.
    """
    lock = _file_lock(warehouse_path)
    lock_path(warehouse_path).parent.mkdir(parents=True, exist_ok=True)
    _acquire(lock, warehouse_path, timeout, on_wait)
    outermost = lock.lock_counter == 1
    try:
        if outermost:
            _write_holder(warehouse_path, holder)
        yield
    finally:
        if outermost:
            _clear_holder(warehouse_path)
        lock.release()


def _acquire(lock: FileLock, warehouse_path: Path | str, timeout: float | None, on_wait: Callable[[str], None] | None) -> None:
    try:
        lock.acquire(blocking=False)
        return
    except Timeout:
        pass
    deadline = None if timeout is None else time.monotonic() + timeout
    announced = None
    while True:
        holder = read_holder(warehouse_path)
        message = waiting_message(warehouse_path, holder)
        if message != announced:
            if on_wait is not None:
                on_wait(message)
            announced = message
        remaining = POLL_SECONDS if deadline is None else deadline - time.monotonic()
        if remaining <= 0:
            raise WarehouseBusy(f"Gave up after {timeout:g} s: {busy_message(warehouse_path, holder)}.")
        try:
            lock.acquire(timeout=min(POLL_SECONDS, remaining))
            return
        except Timeout:
            continue


def _write_holder(warehouse_path: Path | str, holder: Holder) -> None:
    # Written whole, then renamed into place: a reader never sees half a record.
    target = holder_path(warehouse_path)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(asdict(holder), indent=1), encoding="utf-8")
    os.replace(temporary, target)


def _clear_holder(warehouse_path: Path | str) -> None:
    recorded = read_holder(warehouse_path)
    if recorded is None or (recorded.pid == os.getpid() and recorded.host == socket.gethostname()):
        with suppress(FileNotFoundError):
            holder_path(warehouse_path).unlink()
