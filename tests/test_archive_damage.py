"""A damaged raw archive never lowers a published row (issue 25): WARC files cut short or
deleted, partitions deleted or disagreeing with their manifests, the site ledger deleted or
damaged. Each case on a copy of one real crawl of the generated site (raw records rotated
into several files), through the functions the commands call; one case through `warta`."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import shutil
import zlib
from datetime import date, timedelta
from pathlib import Path

import pytest

from demosite import DemoServer
from pipeline import read_articles
from pipeline.snapshots.build import build
from pipeline.snapshots.repair import repair
from pipeline.snapshots.reparse import reparse
from pipeline.store.datadir import DataDir
from pipeline.store.partitions import verify
from pipeline.store.raw_index import RawIndex
from pipeline.store.warc import read_at, warc_record
from pipeline.store.warc_records import UnusableRecord, iter_file, read_record
from tests.conftest import run_warta, scrapy_crawl, spider_args
from tests.test_snapshot import article, stage
from warta.commands.reparse import archived_page

SITE = "medcom"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory, small_site):
    """60 articles over 3 days, crawled and published; every flush of 10 articles went to a
    WARC file of its own."""
    data_dir = tmp_path_factory.mktemp("crawled")
    with DemoServer(small_site, flaky_paths=0) as server:
        proc = scrapy_crawl(
            data_dir,
            *spider_args(server, small_site.days[0], small_site.days[-1]),
            "-s",
            "RAW_ARCHIVE_MAX_BYTES=1",
            "-s",
            "STAGING_FLUSH_ITEMS=10",
        )
    assert proc.returncode == 0, proc.stderr[-2000:]
    build(data_dir)
    assert len(warc_files(data_dir)) >= 2, "one file per flush (how many flushes depends on timing)"
    return data_dir


@pytest.fixture
def data_dir(crawled, tmp_path):
    target = tmp_path / "data"
    shutil.copytree(crawled, target)
    return target


def warc_files(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "raw").glob(f"site={SITE}/*/*.warc.gz"))


def rows(data_dir: Path) -> dict[str, tuple]:
    """article_id -> (day, content hash, word count, editor, related links) of every published row."""
    df = read_articles(data_dir, columns=["article_id", "date", "content_hash", "word_count", "editor", "related_urls"])
    return {
        r.article_id: (f"{r.date:%Y-%m-%d}", r.content_hash, r.word_count, r.editor, tuple(r.related_urls))
        for r in df.itertuples()
    }


def places(data_dir: Path) -> dict[str, tuple[str, int, int, str]]:
    """article_id -> (file key, offset, length, publication day) of its archived record."""
    index = RawIndex(data_dir)
    try:
        return {
            aid: (key, offset, length, day)
            for aid, key, offset, length, day in index.latest_records(SITE)
            if day is not None
        }
    finally:
        index.close()


def cut_in(data_dir: Path, aid: str) -> set[str]:
    """Cut the WARC file of `aid` in the middle of its record; the ids whose records that
    leaves incomplete or gone."""
    where = places(data_dir)
    key, offset, length, _ = where[aid]
    cut = offset + length // 2
    path = data_dir / key
    path.write_bytes(path.read_bytes()[:cut])
    return {other for other, (k, o, n, _) in where.items() if k == key and o + n > cut}


def day_of(data_dir: Path, n: int) -> str:
    return sorted({day for day, *_ in rows(data_dir).values()})[n]


def ledger(data_dir: Path) -> dict:
    return json.loads((data_dir / "snapshots" / f"site={SITE}" / "_published.json").read_text())["days"]


def test_a_record_cut_short_never_replaces_a_published_row(data_dir):
    before = rows(data_dir)
    victim = sorted(before)[len(before) // 2]
    damaged = cut_in(data_dir, victim)

    report = reparse(data_dir, SITE)

    assert rows(data_dir) == before, "the published rows, word counts, editors and links are the good ones"
    assert victim in report.unusable_ids and report.unusable == {"damaged_record": len(damaged)}
    assert report.unusable_ids == damaged
    assert report.articles == len(before) - len(damaged)
    [line] = report.archive_problems
    assert f"{len(damaged)} records do not read back whole" in line and victim in line


def test_repair_keeps_the_rows_it_has_and_names_the_articles_the_archive_cannot_give(data_dir):
    before = rows(data_dir)
    gone_day, kept_day = day_of(data_dir, 0), day_of(data_dir, 1)
    on_day = {d: sorted(aid for aid, row in before.items() if row[0] == d) for d in (gone_day, kept_day)}
    damaged = cut_in(data_dir, on_day[gone_day][3]) | cut_in(data_dir, on_day[kept_day][5])
    assert damaged & set(on_day[kept_day]) and damaged & set(on_day[gone_day])
    # One day deleted; one that reads but disagrees with its manifest (its rows are still good).
    shutil.rmtree(data_dir / "snapshots" / f"site={SITE}" / f"date={gone_day}")
    manifest = data_dir / "snapshots" / f"site={SITE}" / f"date={kept_day}" / "_manifest.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "rows": 999}))

    problems, report = repair(data_dir)

    after = rows(data_dir)
    lost = damaged & set(on_day[gone_day])
    assert set(after) == set(before) - lost
    assert all(after[aid] == before[aid] for aid in after), "nothing kept was changed"
    assert report.lost_ids == lost and report.unnamed_lost == 0
    [line] = report.lost
    assert line.startswith(f"site={SITE}/date={gone_day}: {len(lost)} articles could not be rebuilt")
    assert all(aid in line for aid in lost)
    assert any(f"date={kept_day}: not as its manifest says" in p for p in problems)
    # The ledger went down only with a line naming what went.
    assert ledger(data_dir)[gone_day]["rows"] == len(on_day[gone_day]) - len(lost)
    [lowered] = report.build.lowered
    assert lowered.startswith(f"site={SITE}/date={gone_day}: {len(on_day[gone_day])} rows published before")
    assert all(aid in lowered for aid in lost)
    # ... and verify keeps saying so: the raw archive knows those articles were staged.
    left = verify(data_dir)[1]
    assert len(left) == 1 and f"date={gone_day}: {len(lost)} articles" in left[0], left


def test_a_missing_warc_file_is_one_line_and_the_other_files_go_on(data_dir):
    before = rows(data_dir)
    where = places(data_dir)
    key = sorted({k for k, *_ in where.values()})[1]
    in_file = {aid for aid, (k, *_) in where.items() if k == key}
    (data_dir / key).unlink()

    report = reparse(data_dir, SITE)

    assert report.archive_problems == [f"raw archive: {key} is missing ({len(in_file)} articles)"]
    assert report.unusable == {"missing_file": len(in_file)} and report.unusable_ids == in_file
    assert report.articles == len(before) - len(in_file)
    assert rows(data_dir) == before
    with pytest.raises(SystemExit, match=f"warta parse: error: raw archive: {key} is missing"):
        archived_page(str(data_dir), sorted(in_file)[0])


def test_repair_with_a_missing_warc_file_names_the_articles_it_cannot_rebuild(data_dir):
    before = rows(data_dir)
    where = places(data_dir)
    day = day_of(data_dir, 2)
    key = next(k for k, _, _, d in sorted(where.values()) if d == day)
    lost = {aid for aid, (k, _, _, d) in where.items() if k == key and d == day}
    (data_dir / key).unlink()
    shutil.rmtree(data_dir / "snapshots" / f"site={SITE}" / f"date={day}")

    problems, report = repair(data_dir)

    assert problems == [f"site={SITE}/date={day}: missing"]
    assert set(rows(data_dir)) == set(before) - lost
    assert report.lost_ids == lost
    assert any(line == f"raw archive: {key} is missing ({len(lost)} articles)" for line in report.archive_problems)


def test_repair_rebuilds_an_article_from_an_earlier_whole_response(data_dir):
    before = rows(data_dir)
    day = day_of(data_dir, 0)
    victim = sorted(aid for aid, row in before.items() if row[0] == day)[0]
    key, offset, length, _ = places(data_dir)[victim]
    latest = read_at(DataDir(data_dir), key, offset, length)
    earlier = dataclasses.replace(latest.page, fetched_at=latest.page.fetched_at - timedelta(hours=1))
    (data_dir / key).with_name("earlier-0001.warc.gz").write_bytes(warc_record(earlier, latest.mirror))
    damaged = cut_in(data_dir, victim)
    shutil.rmtree(data_dir / "snapshots" / f"site={SITE}" / f"date={day}")

    problems, report = repair(data_dir)

    after = rows(data_dir)
    assert after[victim] == before[victim] and report.from_earlier == {victim}
    lost = {aid for aid in damaged if before[aid][0] == day} - {victim}
    assert report.lost_ids == lost and set(after) == set(before) - lost


@pytest.mark.parametrize("ledger_damage", ["deleted", "not json", "wrong shape"])
def test_verify_finds_a_missing_day_without_the_ledger(data_dir, ledger_damage):
    days = [day_of(data_dir, n) for n in range(3)]
    day = days[1]
    count = sum(1 for row in rows(data_dir).values() if row[0] == day)
    shutil.rmtree(data_dir / "snapshots" / f"site={SITE}" / f"date={day}")
    path = data_dir / "snapshots" / f"site={SITE}" / "_published.json"
    if ledger_damage == "deleted":
        path.unlink()
    else:
        path.write_text("{not json" if ledger_damage == "not json" else '{"days": ["2026-01-01"]}')

    checked, problems = verify(data_dir)

    state = "missing" if ledger_damage == "deleted" else "damaged"
    assert checked == 2
    assert f"site={SITE}/date={day}: missing (the raw archive has {count} articles staged for it)" in problems
    assert any(p.startswith(f"site={SITE}: _published.json {state}") for p in problems), problems
    # A build in between neither publishes the lost day smaller (the raw archive knows what it
    # had) nor rewrites the ledger from nothing; repair restores the day.
    stage(data_dir, [article("NEWART01", date.fromisoformat(days[0])), article("NEWART02", date.fromisoformat(day))])
    report = build(data_dir)
    assert report.problems == [
        f"site={SITE}/date={day}: missing (_published.json {state}, the raw archive has {count} more articles "
        "staged for it); left as it is, its staged articles kept; `warta snapshot --repair` rebuilds it"
    ]
    assert set(ledger(data_dir)) == set(days) - {day}
    assert repair(data_dir)[1].lost == []
    assert verify(data_dir) == (3, [])
    assert {"NEWART01", "NEWART02"} <= set(rows(data_dir))


def test_a_deleted_partition_blocks_its_day_instead_of_being_published_smaller(data_dir):
    before = rows(data_dir)
    day = day_of(data_dir, 1)
    published = ledger(data_dir)[day]["rows"]
    shutil.rmtree(data_dir / "snapshots" / f"site={SITE}" / f"date={day}")
    stage(data_dir, [article("NEWART01", date.fromisoformat(day))])

    report = build(data_dir)

    assert report.problems == [
        f"site={SITE}/date={day}: missing (published before with {published} rows, per _published.json); "
        "left as it is, its staged articles kept; `warta snapshot --repair` rebuilds it"
    ]
    assert ledger(data_dir)[day]["rows"] == published, "the ledger is not lowered"
    assert list((data_dir / "staging").glob(f"{SITE}/*.jsonl")), "the day's staged article is kept"
    problems, repaired = repair(data_dir)
    assert repaired.lost == [] and set(rows(data_dir)) == set(before) | {"NEWART01"}
    assert verify(data_dir) == (3, [])


# -- records, whole or not -------------------------------------------------------------------


def _foreign_record(body: bytes, digests: bool = True, encoding: str | None = None) -> bytes:
    """A response record as another tool may write it: digests in base16, an encoded body,
    or no digests at all; one gzip member."""
    payload = zlib.compress(body, wbits=31) if encoding == "gzip" else body
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
    http += f"Content-Encoding: {encoding}\r\n".encode() if encoding else b""
    block = http + f"Content-Length: {len(payload)}\r\n\r\n".encode() + payload
    head = [
        "WARC/1.1",
        "WARC-Type: response",
        "WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>",
        "WARC-Date: 2026-01-02T03:04:05Z",
        "WARC-Target-URI: https://www.medcom.id/x/abcdEFGH-judul",
        "Content-Type: application/http; msgtype=response",
        f"Content-Length: {len(block)}",
    ]
    if digests:
        head += [f"WARC-Block-Digest: sha1:{hashlib.sha1(block).hexdigest()}"]
    record = ("\r\n".join(head) + "\r\n\r\n").encode() + block + b"\r\n\r\n"
    return zlib.compress(record, wbits=31)


def _regzip(member: bytes, change) -> bytes:
    """The record of a gzip member, changed by `change`, in a new whole gzip member."""
    return zlib.compress(change(zlib.decompress(member, 31)), wbits=31)


def test_a_record_reads_back_whole_or_not_at_all(crawled):
    key = str(warc_files(crawled)[0].relative_to(crawled))
    data = (crawled / key).read_bytes()
    first = next(iter_file(data, key))
    member = data[: first.length]
    assert read_record(member, key, 0).page.body == first.page.body
    damaged = {
        "cut short": member[: len(member) // 2],
        "one byte of the body changed": _regzip(member, lambda r: r.replace(b"</html>", b"</htmX>")),
        "block shorter than Content-Length": _regzip(member, lambda r: r[: len(r) * 3 // 4]),
        "nothing": b"",
    }
    for why, chunk in damaged.items():
        with pytest.raises(UnusableRecord):
            read_record(chunk, key, 0)
            pytest.fail(why)
    # Another tool's records: read through warcio (an encoded body decoded), checked the same way.
    body = b"<html><body><p>Isi berita.</p></body></html>"
    assert read_record(_foreign_record(body, encoding="gzip"), "x", 0).page.body == body
    assert read_record(_foreign_record(body, digests=False), "x", 0).page.body == body
    with pytest.raises(UnusableRecord, match="block digest"):
        read_record(_regzip(_foreign_record(body), lambda r: r.replace(b"berita", b"Berita")), "x", 0)
    cut = _regzip(_foreign_record(body, digests=False), lambda r: r[:-20])
    with pytest.raises(UnusableRecord, match="cut short"):
        read_record(cut, "x", 0)


def test_a_damaged_record_in_the_middle_of_a_file_costs_only_itself(crawled):
    key = str(warc_files(crawled)[0].relative_to(crawled))
    data = bytearray((crawled / key).read_bytes())
    records = list(iter_file(bytes(data), key))
    victim = records[len(records) // 2]
    for i in range(victim.offset + 100, victim.offset + 140):
        data[i] ^= 0xFF
    left = list(iter_file(io.BytesIO(bytes(data)), key))
    assert [r.offset for r in left] == [r.offset for r in records if r is not victim]


def test_warta_reparse_on_a_damaged_archive_exits_non_zero_with_one_line_per_file(data_dir):
    before = rows(data_dir)
    files = warc_files(data_dir)
    files[0].unlink()
    victim = next(aid for aid, (key, *_) in sorted(places(data_dir).items()) if not key.endswith(files[0].name))
    damaged = cut_in(data_dir, victim)

    result = run_warta("reparse", SITE, "--data-dir", str(data_dir))

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert sum(files[0].name in line for line in lines) == 1
    assert sum(f"{len(damaged)} records do not read back whole" in line for line in lines) == 1
    assert any(line.startswith("reparse: ") and "could not be re-extracted" in line for line in lines), lines
    assert rows(data_dir) == before
