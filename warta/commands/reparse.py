"""`warta reparse` and the archive-reading parts of `warta snapshot --repair` / `warta parse`:
what the raw archive (DATA/raw/) is for. None of them reaches the network."""

from __future__ import annotations

import sys
import zlib
from collections.abc import Iterator

from warta.commands.preflight import require_site
from warta.datadir_checks import require_data_dir


def cmd_reparse(args) -> int:
    from pipeline.snapshots.lock import BuildLocked
    from pipeline.snapshots.reparse import reparse
    from pipeline.store.datadir import DataDir
    from warta.progress import ProgressBar

    if args.until and not args.since:
        raise SystemExit("warta reparse: error: --until needs --since")
    if args.since and args.until and args.since > args.until:
        raise SystemExit(f"warta reparse: error: --since ({args.since}) is after --until ({args.until})")
    require_site("reparse", args.site)
    require_data_dir("reparse", args.data_dir, write=True, must_exist=True)
    data_dir = DataDir(args.data_dir)
    if not data_dir.store.list(f"{DataDir.raw()}/*"):
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
    from pipeline.store.completeness import name_ids

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
    from pipeline.snapshots.lock import BuildLocked
    from pipeline.snapshots.repair import repair
    from pipeline.store.partitions import verify
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
    from pipeline.store.datadir import DataDir
    from pipeline.store.raw_index import RawIndex
    from pipeline.store.warc import iter_archive, read_at
    from pipeline.store.warc_records import UnusableRecord

    readonly = not DataDir(data_dir).store.writable()
    try:
        index = RawIndex(data_dir, readonly=readonly)
    except FileNotFoundError:  # a read-only data dir whose index was never made: the files tell
        index = None
    try:
        found = index.find(article_id) if index else None
        if found is None and not readonly:
            index.refresh()
            found = index.find(article_id)
    finally:
        if index:
            index.close()
    if found is not None:
        site, key, offset, length = found
        try:
            raw = read_at(DataDir(data_dir), key, offset, length)
        except FileNotFoundError:
            raise SystemExit(f"warta parse: error: raw archive: {key} is missing") from None
        except UnusableRecord as exc:
            raise SystemExit(f"warta parse: error: the record of {article_id} in {key} is damaged ({exc})") from None
        return raw.page.body, raw.page.canonical or raw.page.url, site, raw.mirror
    if readonly:  # the index cannot learn the files it has not seen: read them
        latest = max(
            (raw for raw in iter_archive(DataDir(data_dir)) if raw.page.article_id == article_id),
            key=lambda raw: raw.page.fetched_at,
            default=None,
        )
        if latest is not None:
            return (
                latest.page.body,
                latest.page.canonical or latest.page.url,
                latest.key.split("/")[1].removeprefix("site="),
                latest.mirror,
            )
    raise SystemExit(f"warta parse: error: article {article_id} is not in the raw archive of {data_dir}")


def _open_warc(path: str):
    """`path` open for reading, checked to start with a WARC record (gzipped or not): a missing
    file or another kind of file is one line and exit 1, not a traceback or an empty result."""
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise SystemExit(f"warta parse: error: cannot read {path}: {exc.strerror}") from None
    head = fh.read(4096)
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(31).decompress(head, 5)
        except zlib.error:
            head = b""
    if not head.startswith(b"WARC/"):
        fh.close()
        raise SystemExit(f"warta parse: error: {path} is not a WARC file")
    fh.seek(0)
    return fh


def warc_records(path: str) -> Iterator:
    """The response records (`pipeline.store.warc.RawPage`) of the WARC file at `path`, in order."""
    from pipeline.store.warc import iter_file

    with _open_warc(path) as fh:
        yield from iter_file(fh, path)


def warc_page(path: str, url: str):
    """(html, url, mirror, canonical url) of the record of `url` in a WARC file."""
    for raw in warc_records(path):
        if url in (raw.page.url, raw.page.canonical):
            return raw.page.body, raw.page.url, raw.mirror, raw.page.canonical or raw.page.url
    raise SystemExit(f"warta parse: error: no response record for {url} in {path}")


def add_archive_commands(sub, default_data_dir: str, day, parents: list) -> None:
    p = sub.add_parser(
        "reparse", parents=parents, help="re-extract archived pages with today's parser and rebuild their days"
    )
    p.add_argument("site", nargs="?", help="only this site")
    p.add_argument("--since", type=day, help="first publication day (WIB), YYYY-MM-DD")
    p.add_argument("--until", type=day, help="last publication day (WIB), YYYY-MM-DD")
    p.add_argument("--data-dir", default=default_data_dir)
    p.set_defaults(func=cmd_reparse)
