"""CUPS over IPP: queue checks, raw jobs, waiting for a job to finish and purging it.

CUPS keeps job files by default (PreserveJobFiles, one day), so a printed label's address would
sit in the spool. Every job the app submits is purged once it has finished (Cancel-Job with
purge-job, which also removes its history entry); jobs still pending are remembered and
purged by a later call to ``purge_finished``.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from kinxpro_desktop.core.printing import PrintFailed, PrintJob
from kinxpro_desktop.printing import ipp

log = logging.getLogger(__name__)

_PRINTER_ATTRS = [
    "printer-state",
    "printer-state-message",
    "printer-is-accepting-jobs",
    "printer-make-and-model",
    "device-uri",
    "printer-resolution-default",
]
_JOB_ATTRS = ["job-id", "job-state", "job-name", "job-k-octets", "job-impressions-completed"]
_RAW_HINTS = ("raw", "zebra", "zpl", "thermal", "label printer")


def looks_thermal(*texts: str) -> bool:
    text = " ".join(texts).lower()
    return any(h in text for h in ("zebra", "zpl", "thermal", "label", "rollo", "zd4", "gk420"))


def looks_raw(model: str, device_uri: str) -> bool:
    return any(h in model.lower() for h in _RAW_HINTS) or device_uri.startswith("socket:")


class CupsSpooler:
    """The local CUPS scheduler; every method may be called from any thread."""

    def __init__(
        self,
        server: str | None = None,
        *,
        timeout: float = 10.0,
        completion_timeout: float = 60.0,
        poll_interval: float = 0.05,
    ) -> None:
        self.client = ipp.IppClient(server, timeout=timeout)
        self.completion_timeout = completion_timeout
        self.poll_interval = poll_interval
        self._unpurged: set[int] = set()
        self._lock = threading.Lock()

    @property
    def server(self) -> str:
        return self.client.server

    def queue(self, name: str, known: list[str]) -> dict[str, list[Any]]:
        """The queue's attributes; a clear error if CUPS is down, the queue unknown or stopped."""
        try:
            attrs = self.client.printer_attributes(name, _PRINTER_ATTRS)
        except ipp.IppError as exc:
            if exc.status == ipp.STATUS_NOT_FOUND:
                raise PrintFailed.no_such_printer(name, known) from None
            if exc.status == 0:
                raise PrintFailed.spooler_down(str(exc)) from None
            raise PrintFailed(f"CUPS refused to describe {name!r}: {exc}") from None
        stopped = attrs.get("printer-state", [0])[0] == ipp.PRINTER_STOPPED
        accepting = attrs.get("printer-is-accepting-jobs", [True])[0]
        if stopped or not accepting:
            reason = str(attrs.get("printer-state-message", [""])[0])
            raise PrintFailed.queue_stopped(name, reason)
        return attrs

    def submit_raw(self, queue: str, data: bytes, title: str, known: list[str]) -> int:
        attrs = self.queue(queue, known)
        model = str(attrs.get("printer-make-and-model", [""])[0])
        uri = str(attrs.get("device-uri", [""])[0])
        if not looks_raw(model, uri):
            raise PrintFailed.not_raw_capable(queue)
        try:
            return self.client.print_job(
                queue, data, title=title, document_format="application/vnd.cups-raw", options=[]
            )
        except ipp.IppError as exc:
            raise self._submit_error(queue, exc) from None

    def submit_pdf(self, queue: str, document: bytes, title: str, media: str) -> int:
        options: list[ipp.Attr] = [
            (ipp.IPP_TAGS["keyword"], "media", media),
            (ipp.IPP_TAGS["keyword"], "print-scaling", "none"),
            (ipp.IPP_TAGS["boolean"], "fit-to-page", False),
        ]
        try:
            return self.client.print_job(
                queue, document, title=title, document_format="application/pdf", options=options
            )
        except ipp.IppError as exc:
            raise self._submit_error(queue, exc) from None

    def _submit_error(self, queue: str, exc: ipp.IppError) -> PrintFailed:
        if exc.status == 0:
            return PrintFailed.spooler_down(str(exc))
        if exc.status == ipp.STATUS_NOT_ACCEPTING:
            return PrintFailed.queue_stopped(queue, str(exc))
        return PrintFailed(f"CUPS refused the job for {queue!r}: {exc}. Nothing was printed.")

    def finish(self, queue: str, job_id: int, pages: int, bytes_sent: int | None) -> PrintJob:
        """Wait for the job to finish, then purge it; a job still pending is purged later."""
        state, attrs = self._wait(job_id)
        if bytes_sent is None:
            bytes_sent = int(attrs.get("job-k-octets", [0])[0]) * 1024
        # a job the print system stopped (a filter failed) will not print by itself: it is
        # purged like a finished one, so the address does not wait in the spool for a retry
        done = state >= ipp.JOB_STOPPED
        purged = False
        if done:
            purged = self._purge(job_id)
        else:
            with self._lock:
                self._unpurged.add(job_id)
            log.info("job %s on %s still pending: purged once finished", job_id, queue)
        if state in (ipp.JOB_STOPPED, ipp.JOB_CANCELED, ipp.JOB_ABORTED):
            how = {ipp.JOB_STOPPED: "stopped", ipp.JOB_CANCELED: "cancelled"}.get(state, "aborted")
            raise PrintFailed(
                f"The job on {queue!r} was {how} by the print system."
                " Nothing more will print from it; check the printer (driver, paper,"
                " connection), then print again."
            )
        return PrintJob(
            job_id=f"{queue}-{job_id}",
            queue=queue,
            bytes_sent=bytes_sent,
            pages=pages,
            completed=state == ipp.JOB_COMPLETED,
            purged=purged,
        )

    def _wait(self, job_id: int) -> tuple[int, dict[str, list[Any]]]:
        deadline = time.monotonic() + self.completion_timeout
        attrs: dict[str, list[Any]] = {}
        state = ipp.JOB_PENDING
        while True:
            try:
                attrs = self.client.job_attributes(job_id, _JOB_ATTRS)
                state = int(attrs.get("job-state", [ipp.JOB_PENDING])[0])
            except ipp.IppError as exc:
                log.warning("cannot read job %s: %s", job_id, exc)
                return state, attrs
            if state >= ipp.JOB_STOPPED or time.monotonic() > deadline:
                return state, attrs
            time.sleep(self.poll_interval)

    def _purge(self, job_id: int) -> bool:
        try:
            self.client.purge_job(job_id)
        except ipp.IppError as exc:
            if exc.status == ipp.STATUS_NOT_FOUND:  # already gone
                return True
            log.warning("could not purge job %s: %s", job_id, exc)
            with self._lock:
                self._unpurged.add(job_id)
            return False
        with self._lock:
            self._unpurged.discard(job_id)
        return True

    def purge_finished(self) -> int:
        """Purge remembered jobs that have finished since; returns how many were purged."""
        with self._lock:
            pending = sorted(self._unpurged)
        purged = 0
        for job_id in pending:
            try:
                state = int(self.client.job_attributes(job_id, ["job-state"])["job-state"][0])
            except ipp.IppError as exc:
                if exc.status == ipp.STATUS_NOT_FOUND:
                    with self._lock:
                        self._unpurged.discard(job_id)
                continue
            if state >= ipp.JOB_CANCELED and self._purge(job_id):
                purged += 1
        return purged
