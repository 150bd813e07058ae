"""`warta reparse` and the archive-reading parts of `warta snapshot --repair` / `warta parse`:
what the raw archive (DATA/raw/) is for. None of them reaches the network."""

from __future__ import annotations

import sys
from pathlib import Path


def cmd_reparse(args) -> int:
    from pipeline.build_lock import BuildLocked
    from pipeline.datadir import DataDir
    from pipeline.reparse import reparse
    from warta.progress import ProgressBar

    if args.until and not args.since:
        raise SystemExit("warta reparse: error: --until needs --since")
    if args.since and args.until and args.since > args.until:
        raise SystemExit(f"warta reparse: error: --since ({args.since}) is after --until ({args.until})")
    data_dir = DataDir(args.data_dir)
    if not data_dir.remote and not Path(data_dir.location, "raw").is_dir():
        raise SystemExit(f"warta reparse: error: no raw archive in {args.data_dir} (DATA/raw/ is missing)")
    bar = ProgressBar("reparse")
    try:
        report = reparse(args.data_dir, args.site, args.since, args.until, progress=bar.update)
    except BuildLocked as exc:
        print(f"warta reparse: {exc}", file=sys.stderr)
        return 1
    bar.close()
    dropped = ", ".join(f"{k}={v}" for k, v in sorted(report.dropped.items())) or "none"
    built = report.build
    unusable = ", ".join(f"{k}={v}" for k, v in sorted(report.unusable.items())) or "none"
    print(
        f"reparse: {report.pages} archived pages, {report.articles} articles re-extracted; dropped: {dropped}; "
        f"unusable records: {unusable}; {len({d for _, d in report.days})} days rebuilt"
        + (
            f" ({built.partitions_written} partitions written, {built.partitions_unchanged} unchanged, "
            f"{built.updated_articles} articles changed)"
            if built
            else ""
        )
    )
    return _failures("reparse", report)


def _failures(command: str, report) -> int:
    """The lines of what went wrong (stderr), and the exit code."""
    from pipeline.completeness import name_ids

    for line in report.archive_problems:
        print(line, file=sys.stderr)
    if report.unusable and command == "reparse":
        print(
            f"reparse: {report.unusable_line()} archived articles could not be re-extracted; their published "
            f"rows are left as they were: {name_ids(report.unusable_ids)}",
            file=sys.stderr,
        )
    elif report.unusable:
        earlier = (
            f"; {len(report.from_earlier)} of their articles read from an earlier response"
            if report.from_earlier
            else ""
        )
        print(f"{command}: {report.unusable_line()} archived records could not be used{earlier}", file=sys.stderr)
    built = report.build
    for line in built.problems if built else ():
        print(f"{command}: {line}", file=sys.stderr)
    for line in built.lowered if built and command != "repair" else ():
        print(f"{command}: {line}", file=sys.stderr)
    for line in report.lost:
        print(f"{command}: {line}", file=sys.stderr)
    failed = report.lost or report.unnamed_lost or (built and (built.problems or built.lost))
    return 1 if failed or (command == "reparse" and report.unusable) else 0


def cmd_repair(data_dir: str) -> int:
    from pipeline.build_lock import BuildLocked
    from pipeline.partitions import verify
    from pipeline.repair import repair
    from warta.progress import ProgressBar

    bar = ProgressBar("repair")
    try:
        problems, report = repair(data_dir, progress=bar.update)
    except BuildLocked as exc:
        print(f"warta snapshot: {exc}", file=sys.stderr)
        return 1
    bar.close()
    for problem in problems:
        print(f"repair: {problem}")
    code = _failures("repair", report)
    checked, left = verify(data_dir)
    lost = len(report.lost_ids) + report.unnamed_lost
    print(
        f"repair: {len(problems)} problems found, rebuilt from the raw archive ({report.articles} articles "
        f"re-extracted{f', {lost} could not be rebuilt' if lost else ''}); "
        f"verify: {checked} partitions checked, {len(left)} problem(s)"
    )
    for problem in left:
        print(problem)
    return 1 if left or code else 0


def archived_page(data_dir: str, article_id: str):
    """(html, url, site, mirror) of the latest archived response of `article_id`."""
    from pipeline.archive import read_at
    from pipeline.datadir import DataDir
    from pipeline.raw_index import RawIndex
    from pipeline.warc_records import UnusableRecord

    index = RawIndex(data_dir)
    try:
        found = index.find(article_id)
        if found is None:
            index.refresh()
            found = index.find(article_id)
    finally:
        index.close()
    if found is None:
        raise SystemExit(f"warta parse: error: article {article_id} is not in the raw archive of {data_dir}")
    site, key, offset, length = found
    try:
        raw = read_at(DataDir(data_dir), key, offset, length)
    except FileNotFoundError:
        raise SystemExit(f"warta parse: error: raw archive: {key} is missing") from None
    except UnusableRecord as exc:
        raise SystemExit(f"warta parse: error: the record of {article_id} in {key} is damaged ({exc})") from None
    return raw.page.body, raw.page.url, site, raw.mirror


def warc_page(path: str, url: str | None):
    """(html, url, mirror, canonical url) of the record of `url` in a WARC file (the first
    response record without `url`)."""
    from pipeline.archive import iter_file

    with open(path, "rb") as fh:
        for raw in iter_file(fh, path):
            if url is None or url in (raw.page.url, raw.page.canonical):
                return raw.page.body, raw.page.url, raw.mirror, raw.page.canonical or raw.page.url
    raise SystemExit(f"warta parse: error: no response record{f' for {url}' if url else ''} in {path}")


def add_archive_commands(sub, default_data_dir: str, day, parents: list) -> None:
    p = sub.add_parser(
        "reparse", parents=parents, help="re-extract archived pages with today's parser and rebuild their days"
    )
    p.add_argument("site", nargs="?", help="only this site")
    p.add_argument("--since", type=day, help="first publication day (WIB), YYYY-MM-DD")
    p.add_argument("--until", type=day, help="last publication day (WIB), YYYY-MM-DD")
    p.add_argument("--data-dir", default=default_data_dir)
    p.set_defaults(func=cmd_reparse)
