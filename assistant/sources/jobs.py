"""Background ingest jobs: one worker thread, a queue, and progress that a page can poll.

A job is one change asked for on the Bronnen page (one or more uploads, a
replacement, a removal).  The worker runs jobs one after the other; while one
runs, :meth:`Job.view` gives its progress (0..1) and what it is doing, in Dutch.
Jobs live in the memory of the process that runs them; their outcome is also
written to the audit trail, which outlives the process.
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from .model import ChangeState

__all__ = ["Job", "JobView", "Worker"]

logger = logging.getLogger(__name__)

# Where each ingest stage starts and ends on the progress bar (checks happen before the job).
_STAGES: dict[str, tuple[float, float, str]] = {
    "wachten": (0.02, 0.05, "wacht tot een andere wijziging of indexering klaar is"),
    "toepassen": (0.05, 0.08, "bestanden in de bronnenmap zetten"),
    "bestanden": (0.08, 0.55, "documenten lezen"),
    "embedden": (0.55, 0.8, "tekst omzetten naar vectoren"),
    "schrijven": (0.8, 0.97, "nieuwe index schrijven"),
    "gepubliceerd": (1.0, 1.0, "nieuwe index in gebruik"),
}
#: How many finished jobs a process remembers for the page.
_KEEP_FINISHED = 50


@dataclass(frozen=True)
class JobView:
    """A read-only picture of a job for the page and the CLI."""

    id: str
    label: str
    by: str
    state: ChangeState
    progress: float
    stage: str
    message: str
    created_at: datetime
    finished_at: datetime | None

    @property
    def done(self) -> bool:
        """True when the job ended (well or not)."""
        return self.state in (ChangeState.KLAAR, ChangeState.MISLUKT)


class Job:
    """A unit of background work with thread-safe progress."""

    def __init__(self, label: str, by: str, work: Callable[[Job], str]) -> None:
        self.id = secrets.token_hex(6)
        self.label = label
        self.by = by
        self._work = work
        self._lock = threading.Lock()
        self._state = ChangeState.WACHTRIJ
        self._progress = 0.0
        self._stage = "in de wachtrij"
        self._message = ""
        self._created = datetime.now(UTC)
        self._finished: datetime | None = None
        self._event = threading.Event()

    def report(self, stage: str, done: int = 0, total: int = 0) -> None:
        """Progress of stage ``stage`` (see the ingest's ``on_progress``)."""
        start, end, text = _STAGES.get(stage, (self._progress, self._progress, stage))
        fraction = start + (end - start) * (done / total if total else 0.0)
        label = f"{text} ({done}/{total})" if stage == "bestanden" and total else text
        with self._lock:
            self._state = ChangeState.BEZIG
            self._progress = max(self._progress, fraction)
            self._stage = label

    def run(self) -> None:
        """Do the work; its return value (or error) becomes the message."""
        try:
            message = self._work(self)
        except Exception as err:  # the worker must survive any job; the job says what happened
            logger.exception("sources job %s failed", self.id)
            self._end(ChangeState.MISLUKT, f"Onverwachte fout ({type(err).__name__}); zie het logboek van de server.")
            return
        self._end(ChangeState.KLAAR, message)

    def fail(self, message: str) -> None:
        """End the job as failed (the work calls this and returns)."""
        self._end(ChangeState.MISLUKT, message)

    def _end(self, state: ChangeState, message: str) -> None:
        with self._lock:
            if self._finished is not None:
                return
            self._state = state
            self._message = message
            self._finished = datetime.now(UTC)
            if state == ChangeState.KLAAR:
                self._progress = 1.0
                self._stage = _STAGES["gepubliceerd"][2]
            else:
                self._stage = "mislukt"
        self._event.set()

    def wait(self, timeout: float | None = None) -> JobView:
        """Block until the job ended (or ``timeout`` seconds passed)."""
        self._event.wait(timeout)
        return self.view()

    def view(self) -> JobView:
        with self._lock:
            return JobView(
                id=self.id,
                label=self.label,
                by=self.by,
                state=self._state,
                progress=round(self._progress, 3),
                stage=self._stage,
                message=self._message,
                created_at=self._created,
                finished_at=self._finished,
            )


class Worker:
    """One background thread that runs jobs in order (started on the first job)."""

    def __init__(self, name: str = "vraagbaak-bronnen") -> None:
        self._name = name
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, job: Job) -> Job:
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
                self._thread.start()
        self._queue.put(job)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def views(self) -> list[JobView]:
        """All remembered jobs, newest first."""
        with self._lock:
            jobs = list(self._jobs.values())
        return sorted((j.view() for j in jobs), key=lambda v: v.created_at, reverse=True)

    def busy(self) -> bool:
        """True while a job waits or runs."""
        return any(not v.done for v in self.views())

    def stop(self, timeout: float = 5.0) -> None:
        """Let the current job finish and stop the thread (tests, shutdown)."""
        thread = self._thread
        if thread is not None and thread.is_alive():
            self._queue.put(None)
            thread.join(timeout)

    def _loop(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            started = time.perf_counter()
            job.run()
            logger.info("sources job %s ended in %.1f s: %s", job.id, time.perf_counter() - started, job.view().state)

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.view().done]
        for job in sorted(finished, key=lambda j: j.view().created_at)[:-_KEEP_FINISHED]:
            del self._jobs[job.id]
