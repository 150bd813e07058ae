"""`warta snapshot --repair`: partitions rebuilt from what is left of them, staging and the
raw archive, losing nothing that any of them still holds.

- a partition that reads but disagrees with its manifest keeps its rows; its articles are
  re-extracted from the archive (whole records only) and the rows merged over them;
- a partition that does not read is set aside (`.part-0.parquet.damaged-<time>`, skipped by
  readers) and rebuilt from the archive;
- a day the ledger or the archive's index knows but that is gone is rebuilt from the archive;
- a day lacking articles the archive's index has staged for it gets those articles only.
Staged records of these days are built with them. An article none of them can give is named
(`ReparseReport.lost`) and the command exits non-zero; a day the archive cannot give at all
stays missing, so that `--verify` keeps saying so.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from extract.sites import load_sites
from pipeline.snapshots.build import build
from pipeline.snapshots.reparse import ReparseReport, remember_days, reparsed, stage_records
from pipeline.store.completeness import name_ids, pending_ids, unpublished
from pipeline.store.datadir import DataDir
from pipeline.store.partitions import LEDGER_NAME, Partitions
from pipeline.store.raw_index import RawIndex

Key = tuple[str, str]


def _ledgers(partitions: Partitions, sites: list[str], problems: list[str]) -> dict[str, dict]:
    """Each site's ledger; a missing or damaged one is rewritten from the manifests there are."""
    ledgers = {}
    for site in sites:
        if state := partitions.ledger_problem(site):
            ledgers[site] = partitions.rebuild_ledger(site)
            problems.append(f"site={site}: {LEDGER_NAME} {state}; rewritten from {len(ledgers[site])} manifests")
        else:
            ledgers[site] = partitions.ledger(site)
    return ledgers


def _targets(
    data_dir: DataDir, partitions: Partitions, archived: dict[Key, set[str]], problems: list[str]
) -> tuple[dict[Key, set[str] | None], dict[Key, tuple[int, set[str]]]]:
    """(site, day) -> the ids to re-extract (None: all of the day), and what each day held
    before (rows per the ledger or its file, ids it held)."""
    sites = sorted(set(partitions.sites()) | {site for site, _ in archived})
    ledgers = _ledgers(partitions, sites, problems)
    targets: dict[Key, set[str] | None] = {}
    before: dict[Key, tuple[int, set[str]]] = {}
    for site, day in partitions.broken():
        where = f"site={site}/date={day}"
        ids = partitions.article_ids(site, day)
        rows = ledgers.get(site, {}).get(day, {}).get("rows") or len(ids or ())
        if ids is not None:
            problems.append(f"{where}: not as its manifest says; its {len(ids)} rows kept")
        elif aside := partitions.set_aside(site, day):
            problems.append(f"{where}: unreadable; set aside as {aside}")
        else:
            problems.append(f"{where}: missing")
        targets[(site, day)] = None
        before[(site, day)] = (rows, ids or set())
    pending = pending_ids(data_dir)
    published = {site: partitions.published_ids(site) for site in sites}
    for key, ids in sorted(unpublished(archived, pending, published).items()):
        if key not in targets:
            held = partitions.article_ids(*key) or set()
            problems.append(f"site={key[0]}/date={key[1]}: {len(ids)} archived articles missing")
            targets[key] = ids
            before[key] = (ledgers.get(key[0], {}).get(key[1], {}).get("rows") or len(held), held)
    return targets, before


def _selection(targets: dict[Key, set[str] | None], site: str) -> Callable[[str, str | None], bool]:
    whole = {day for (s, day), ids in targets.items() if s == site and ids is None}
    some = set().union(*(ids for (s, _), ids in targets.items() if s == site and ids is not None))
    # An article whose day the index does not know may belong to a day rebuilt whole.
    return lambda aid, day: (day in whole if day is not None else bool(whole)) or aid in some


def _account(
    data_dir: DataDir,
    partitions: Partitions,
    archived: dict[Key, set[str]],
    before: dict[Key, tuple[int, set[str]]],
    report: ReparseReport,
) -> None:
    """Name, per day, the articles that were (or should have been) there and are now
    published nowhere, nor waiting in staging."""
    pending = pending_ids(data_dir)
    after = {site: partitions.published_ids(site) for site in {s for s, _ in before}}
    for (site, day), (rows, held) in sorted(before.items()):
        now = {aid for aid, d in after[site].items() if d == day}
        expected = held | archived.get((site, day), set())
        gone = expected - now
        lost = gone - after[site].keys() - pending.get(site, set())
        unnamed = max(0, rows - len(now) - len(gone))
        if lost or unnamed:
            line = f"site={site}/date={day}: {len(lost) + unnamed} articles could not be rebuilt from the raw archive"
            line += f" ({name_ids(lost, limit=None)})" if lost else ""
            line += f"; {unnamed} of them only the lost partition knew by id" if unnamed else ""
            report.lost.append(line)
            report.lost_ids |= lost
            report.unnamed_lost += unnamed


def repair(
    data_dir: "str | DataDir", progress: Callable[[int, int], None] | None = None
) -> tuple[list[str], ReparseReport]:
    """Rebuild every partition that is missing, unreadable, disagrees with its manifest or
    lacks archived articles; returns the problems found and what the rebuild did, with the
    articles that could not be rebuilt (`report.lost`)."""
    data_dir = DataDir.of(data_dir)
    partitions = Partitions(data_dir)
    index = RawIndex(data_dir)
    try:
        index.refresh()
        archived = index.staged_days()
    finally:
        index.close()
    problems: list[str] = []
    targets, before = _targets(data_dir, partitions, archived, problems)
    report = ReparseReport()
    for site in sorted({s for s, _ in targets if s in load_sites()}):
        days = {d for s, d in targets if s == site}
        stage_records(data_dir, site, reparsed(data_dir, site, days, report, progress, _selection(targets, site)))
    remember_days(data_dir, report)
    if targets:
        report.build = build(
            data_dir,
            dates={date.fromisoformat(d) for _, d in targets},
            rebuild_all=True,
            repairing=frozenset(targets),
        )
        _account(data_dir, partitions, archived, before, report)
    return problems, report
