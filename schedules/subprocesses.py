"""The crawls this process started, and stopping them.

A service stops only its own children: run records in runs.sqlite also hold the pids of runs
started by `warta schedule once`, by another service, or by a service that died long ago (whose
pid may belong to an unrelated process by now), so they are never used to send signals.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from contextlib import contextmanager


def stop_process(proc: subprocess.Popen, grace: float) -> None:
    """SIGTERM its process group (Scrapy flushes and closes), then SIGKILL after `grace` seconds."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        _kill_group(proc, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        proc.wait()


def _kill_group(proc: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(proc.pid, signum)
    except ProcessLookupError:
        pass


class Children:
    """Running subprocesses (each the leader of its own process group), registered by the job
    threads that started them and stopped all at once on shutdown."""

    def __init__(self):
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen] = set()
        self._stopping = False

    @contextmanager
    def running(self, proc: subprocess.Popen, grace: float):
        with self._lock:
            self._running.add(proc)
            late = self._stopping
        if late:  # started while the service was stopping: nobody else will stop it
            stop_process(proc, grace)
        try:
            yield proc
        finally:
            with self._lock:
                self._running.discard(proc)

    @property
    def stopping(self) -> bool:
        """Whether the service is shutting down (and so stopping its children)."""
        with self._lock:
            return self._stopping

    def stop_all(self, grace: float) -> None:
        """SIGTERM every child's group, SIGKILL those still running after `grace` seconds."""
        with self._lock:
            self._stopping = True
            procs = list(self._running)
        for proc in procs:
            _kill_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while any(proc.poll() is None for proc in procs) and time.monotonic() < deadline:
            time.sleep(0.2)
        for proc in procs:
            if proc.poll() is None:
                _kill_group(proc, signal.SIGKILL)


CHILDREN = Children()  # the scheduler's job threads and its signal handler share this one
