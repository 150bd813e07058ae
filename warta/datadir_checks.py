"""A data dir the command cannot use is a one-line error naming it, before any work starts
(not a traceback from deep inside a crawl, nor "verify: OK" on a folder that isn't there).
The store says why (`pipeline.store.backends`: a file, missing, not writable; an object
store's bucket or credentials)."""

from __future__ import annotations

import os

from pipeline.store.datadir import DataDir


def require_data_dir(command: str, location: str | os.PathLike, *, write: bool, must_exist: bool = False) -> None:
    """Ends the command with `warta COMMAND: error: <why>` when the data dir cannot be used:
    a file, missing although the command only reads it (or `must_exist`), or not writable
    (creating it if missing) although the command writes."""
    if problem := DataDir(location).store.problem(write=write, must_exist=must_exist):
        raise SystemExit(f"warta {command}: error: {problem}")
