"""What goes wrong around a command rather than in it (a full disk, a read-only data dir, a
reader that closed the pipe) as the one line the command ends with: a traceback tells an
operator nothing they can act on, and hides the line that does.

Only errors of the environment are turned into a line (`ENVIRONMENT_ERRORS`): anything else
is a bug, and its traceback is what a bug report needs.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys

ENVIRONMENT_ERRORS = (OSError, sqlite3.Error)
LOW_SPACE = 1024 * 1024  # below this, a failed write is most likely the full disk


def one_line(exc: BaseException, data_dir: str | None = None) -> str:
    """`exc` as one line: the system's reason, the file it concerns, and what the disk says."""
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror + (f": {exc.filename}" if exc.filename else "")
    else:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    notes = [note for note in getattr(exc, "__notes__", ()) if note]
    if notes:
        text += f" ({'; '.join(notes)})"
    if (space := _free_space_note(data_dir)) and "No space left" not in text:
        text += f" ({space})"
    return text


def _free_space_note(data_dir: str | None) -> str | None:
    if not data_dir or "://" in data_dir:
        return None
    try:
        free = shutil.disk_usage(data_dir).free
    except OSError:
        return None
    return f"the disk of {data_dir} is full: {free // 1024} KiB free" if free < LOW_SPACE else None


def closed_pipe() -> int:
    """`warta parse ... | head`: the reader has gone. Python would report the closed pipe again
    when it flushes stdout at exit; pointing stdout at /dev/null leaves nothing to report."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 141  # as a shell reports a command ended by SIGPIPE
