"""A progress bar on a terminal; nothing when output is not a terminal (scheduler, CI)."""

from __future__ import annotations

import sys
import time


class ProgressBar:
    def __init__(self, label: str, stream=None, min_total: int = 5, enabled: bool = True):
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = enabled and self.stream.isatty()  # -q and -v show no bar
        self.min_total = min_total
        self.started = time.monotonic()
        self.shown = False

    def update(self, done: int, total: int) -> None:
        if not self.enabled or total < self.min_total:
            return
        width = 30
        filled = int(width * done / total)
        rate = done / max(1e-6, time.monotonic() - self.started)
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} ({rate:.1f}/s)")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
