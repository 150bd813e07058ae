"""`warta snapshot`: build the daily Parquet snapshots, or `--verify` / `--repair` them."""

from __future__ import annotations

import logging
import sys

from warta.commands.preflight import preflight
from warta.datadir_checks import require_data_dir
from warta.output import NORMAL, log_to_terminal


def cmd_snapshot(args) -> int:
    from pipeline.snapshots.build import build
    from pipeline.snapshots.lock import BuildLocked
    from pipeline.store.partitions import verify
    from warta.progress import ProgressBar

    require_data_dir("snapshot", args.data_dir, write=not args.verify, must_exist=True)
    log_to_terminal(args.verbosity, logging.WARNING)
    if args.verify:
        checked, problems = verify(args.data_dir)
        for problem in problems:
            print(problem)
        if not checked and not problems:  # nothing checked is not "OK"
            from pipeline.store.datadir import DataDir

            print(
                f"verify: no snapshots in {DataDir(args.data_dir).store.arrow(DataDir.SNAPSHOTS)[0]}", file=sys.stderr
            )
            return 1
        print(f"verify: {checked} partitions checked, {'OK' if not problems else f'{len(problems)} problem(s)'}")
        return 1 if problems else 0
    if args.repair:
        from warta.commands.reparse import cmd_repair

        return cmd_repair(args.data_dir)
    preflight("snapshot", args.data_dir, args.redis_url)
    bar = ProgressBar("snapshot", enabled=args.verbosity == NORMAL)
    try:
        # Named dates are rebuilt even with nothing new staged (learned boilerplate, schema).
        report = build(
            args.data_dir,
            dates=set(args.date) if args.date else None,
            rebuild_all=args.all or bool(args.date),
            progress=bar.update,
            redis_url=args.redis_url,
        )
    except BuildLocked as exc:
        print(f"warta snapshot: {exc}", file=sys.stderr)
        return 1
    bar.close()
    print(
        f"snapshot: {report.partitions_written} partitions written, {report.partitions_unchanged} unchanged, "
        f"{report.rows} rows; {report.staged_records} staged records ({report.new_articles} new, "
        f"{report.updated_articles} updated); torn lines skipped: {report.torn_lines}, "
        f"undated: {report.undated}, rejected: {report.rejected}"
    )
    if report.rejected:
        print(
            f"snapshot: {report.rejected} staged records could not be articles; quarantined in "
            f"{', '.join(report.rejects)}",
            file=sys.stderr,
        )
    for problem in report.problems:
        print(f"snapshot: {problem}", file=sys.stderr)
    for line in report.lowered:
        print(f"snapshot: {line}", file=sys.stderr)
    return 1 if report.problems or report.lost else 0
