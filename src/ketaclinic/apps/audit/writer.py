"""The audit writer: in a server process, one thread writes every request's audit batch.

Every read of patient data is audited, so every request writes. Written by the request
itself, each batch was a transaction of its own (on SQLite one flush to disk, under the
database's single write lock) followed by a chain pass of seven more statements: half of an
audited API read's CPU time and most of its waiting. Here the requests of a process hand their
batches to one thread, which inserts all the batches waiting at that moment in one
transaction — group commit, as databases do for their own log — and then chains them.

What a request is promised does not change: ``write`` returns only once its events are
committed (so a response never leaves before the record of it is on disk), and raises if
they could not be. What moves off the request is the chain pass: the writer runs it after each
commit, so events are chained moments later, in commit order, by one chainer per process
(``chaining`` keeps those of several processes from overlapping).

The writer runs only where it is switched on — the WSGI application, that is the server
(``config/wsgi.py``). Commands, jobs and the test client write as before, in the caller's own
thread; so does any write inside a transaction the caller has open, whose events must commit
or roll back with it. The thread starts with the first batch, after gunicorn has forked its
workers, and a child of a fork starts its own.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time
from dataclasses import dataclass, field

from django.db import close_old_connections, connection, transaction

from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.web.bulk_write import insert_returning_keys

__all__ = ["AuditWriteError", "AuditWriter", "audit_writer"]

logger = logging.getLogger(__name__)

# A request waits at most this long for its batch; past it the response is refused (500)
# rather than sent without its record.
WRITE_TIMEOUT_SECONDS = 30.0
# While batches keep arriving, one chain pass every this long chains them all (a pass costs
# about as much CPU as a commit, whatever it chains); it also runs once none has come for this
# long.
CHAIN_DELAY_SECONDS = 0.05


class AuditWriteError(RuntimeError):
    """A request's audit events could not be written: the request must not succeed."""


@dataclass
class _Batch:
    events: list[AuditEvent]
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


_CHAIN = object()  # "chain what is unchained" (a change committed elsewhere in the process)
_STOP = object()


class AuditWriter:
    """One per process (``audit_writer``); ``enable()`` switches it on for this process."""

    def __init__(self) -> None:
        self.enabled = False
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()

    # -- switching on and off -------------------------------------------------------------

    def enable(self) -> None:
        self.enabled = True

    def takes_writes(self) -> bool:
        """Switched on, and the caller is not inside a transaction of its own."""
        return self.enabled and not connection.in_atomic_block

    def stop(self, timeout: float = 10.0) -> None:
        """Write and chain what is queued, then end the thread (at exit, and in tests)."""
        thread = self._thread
        if thread is None or not thread.is_alive():
            return
        self._queue.put(_STOP)
        thread.join(timeout)

    def _forget_after_fork(self) -> None:
        """A forked child has no writer thread (threads do not survive fork): start afresh."""
        self._queue = queue.SimpleQueue()
        self._thread = None
        self._start_lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="ketaclinic-audit-writer", daemon=True
                )
                self._thread.start()

    # -- what requests call ---------------------------------------------------------------

    def write(self, events: list[AuditEvent]) -> None:
        """Insert ``events`` with the other batches waiting; return once they are committed."""
        if not events:
            return
        batch = _Batch(events)
        self._idle.clear()
        self._ensure_thread()
        self._queue.put(batch)
        if not batch.done.wait(WRITE_TIMEOUT_SECONDS):
            raise AuditWriteError("the audit writer did not commit this request's events in time")
        if batch.error is not None:
            raise AuditWriteError("this request's audit events could not be written") from (
                batch.error
            )

    def request_chain(self) -> None:
        """Ask for a chain pass soon (events were committed by someone else in this process)."""
        self._idle.clear()
        self._ensure_thread()
        self._queue.put(_CHAIN)

    def wait_until_idle(self, timeout: float = 10.0) -> bool:
        """True once everything handed over so far is written and chained (tests, shutdown)."""
        return self._idle.wait(timeout)

    # -- the thread -----------------------------------------------------------------------

    def _take_waiting(self, block: bool) -> tuple[list[_Batch], bool, bool]:
        """The first item (waiting for it if ``block``), then every item already waiting."""
        items: list[object] = []
        try:
            items.append(self._queue.get(timeout=None if block else CHAIN_DELAY_SECONDS))
        except queue.Empty:
            return [], False, False
        while True:
            try:
                items.append(self._queue.get_nowait())
            except queue.Empty:
                break
        batches = [item for item in items if isinstance(item, _Batch)]
        return batches, _STOP in items, bool(batches) or _CHAIN in items

    def _run(self) -> None:
        chain_owed, owed_since = False, 0.0
        while True:
            # Requests wait for their commit, not for the chain: while batches keep arriving
            # they are committed at once, and one pass chains them all every
            # CHAIN_DELAY_SECONDS; once none has arrived for that long, the pass runs then.
            batches, stopping, chain = self._take_waiting(block=not chain_owed)
            quiet = not (batches or stopping or chain)  # the wait for more timed out
            if chain and not chain_owed:
                chain_owed, owed_since = True, time.monotonic()
            try:
                if batches:
                    self._insert(batches)
                overdue = time.monotonic() - owed_since >= CHAIN_DELAY_SECONDS
                if chain_owed and (stopping or overdue or quiet):
                    self._chain()
                    chain_owed = False
            finally:
                close_old_connections()
                if not chain_owed and self._queue.empty():
                    self._idle.set()
            if stopping:
                connection.close()
                return

    @staticmethod
    def _insert_together(batches: list[_Batch]) -> BaseException | None:
        try:
            with transaction.atomic():
                insert_returning_keys(AuditEvent, [e for batch in batches for e in batch.events])
        except Exception as failure:
            return failure
        return None

    def _insert(self, batches: list[_Batch]) -> None:
        """All waiting batches in one transaction; if that fails, each alone, so one bad batch
        (say, an event naming a patient deleted meanwhile) fails only its own request."""
        failure = self._insert_together(batches)
        if failure is not None and len(batches) > 1:
            for batch in batches:
                batch.error = self._insert_together([batch])
                batch.done.set()
            return
        if failure is not None:
            logger.error("audit writer: a batch was not written: %s", type(failure).__name__)
        for batch in batches:
            batch.error = failure
            batch.done.set()

    def _chain(self) -> None:
        from ketaclinic.apps.audit.chaining import AFTER_COMMIT_LIMIT, chain_pass_deferring_failure

        try:
            done = chain_pass_deferring_failure()
        except Exception:  # the thread must live on: cron chains what this pass left
            logger.exception("audit chain pass failed; cron will chain the events")
            return
        if done is not None and done.chained >= AFTER_COMMIT_LIMIT:  # more left: after the
            self._queue.put(_CHAIN)  # batches now waiting


audit_writer = AuditWriter()
os.register_at_fork(after_in_child=audit_writer._forget_after_fork)
atexit.register(audit_writer.stop)
