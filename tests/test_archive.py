"""The raw WARC archive and what it is for: re-parse and repair, with real crawls over HTTP,
real files damaged on disk and real `warta` processes (SIGKILLed too)."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from demosite import DemoServer, generate_site
from pipeline import read_articles
from pipeline.store.datadir import DataDir
from tests.conftest import crawl_args, run_warta, scrapy_crawl, spider_args, start_warta
from tests.test_snapshot import article, stage


def contents(data_dir: Path) -> dict[str, str]:
    """article_id -> content_hash of everything published."""
    df = read_articles(data_dir, columns=["article_id", "content_hash"])
    return dict(zip(df["article_id"], df["content_hash"], strict=True))


@pytest.fixture(scope="module")
def archived(tmp_path_factory):
    """A crawled and published data dir (60 articles over 3 days), with its raw archive."""
    site = generate_site(n_articles=60, days=3)
    data_dir = tmp_path_factory.mktemp("archived")
    with DemoServer(site) as server:
        result = run_warta(*crawl_args(server, site, data_dir))
        assert result.returncode == 0, result.stderr
    assert run_warta("snapshot", "--data-dir", str(data_dir)).returncode == 0
    return data_dir, site, contents(data_dir)


@pytest.fixture
def copy(archived, tmp_path):
    data_dir, site, published = archived
    target = tmp_path / "data"
    shutil.copytree(data_dir, target)
    return target, site, published


def warc_files(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "raw").glob("site=medcom/*/*.warc.gz"))


def test_every_article_response_is_in_a_warc_file_that_warcio_reads(archived):
    data_dir, site, published = archived
    files = warc_files(data_dir)
    assert files, "raw/site=medcom/<day>/*.warc.gz"
    ids = []
    for path in files:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                assert record.rec_type == "response"
                assert record.http_headers.get_statuscode() == "200"
                assert b"<html" in record.content_stream().read().lower()
                ids.append(record.rec_headers.get_header("WARC-Warta-Article-Id"))
    assert set(published) <= set(ids), "every published article has its raw response"
    index = subprocess.run(
        [str(Path(sys.executable).parent / "warcio"), "index", str(files[0])],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert index.returncode == 0 and '"warc-type": "response"' in index.stdout


def test_parse_from_archive_gives_the_published_row(archived):
    data_dir, site, published = archived
    aid = sorted(published)[7]
    result = run_warta("parse", "--from-archive", aid, "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    parsed = json.loads(result.stdout)
    assert parsed["article_id"] == aid and parsed["url"].startswith("https://www.medcom.id/")
    assert parsed["content_hash"] == published[aid]
    warc = run_warta("parse", str(warc_files(data_dir)[0]))  # every record of the file, a JSON line each
    lines = [json.loads(line) for line in warc.stdout.splitlines()]
    assert warc.returncode == 0 and lines and all(line["site"] == "medcom" for line in lines), warc.stderr


def _damage(data_dir: Path, how: str) -> str:
    part = sorted((data_dir / "snapshots").glob("site=medcom/date=*/part-0.parquet"))[1]
    where = part.parent.name
    if how == "truncate":
        part.write_bytes(part.read_bytes()[:-2000])
    elif how == "zero":
        part.write_bytes(b"")
    elif how == "delete":
        shutil.rmtree(part.parent)
    elif how == "manifest-json":
        (part.parent / "_manifest.json").write_text("{not json")
    elif how == "manifest-rows":
        manifest = json.loads((part.parent / "_manifest.json").read_text())
        (part.parent / "_manifest.json").write_text(json.dumps({**manifest, "rows": 999}))
    return where


@pytest.mark.parametrize("how", ["truncate", "zero", "delete", "manifest-json", "manifest-rows"])
def test_repair_restores_a_damaged_partition_from_the_archive(copy, how):
    data_dir, site, published = copy
    where = _damage(data_dir, how)
    verify = run_warta("snapshot", "--verify", "--data-dir", str(data_dir))
    assert verify.returncode == 1 and where in verify.stdout, verify.stdout
    repaired = run_warta("snapshot", "--repair", "--data-dir", str(data_dir))
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert where in repaired.stdout
    assert contents(data_dir) == published, "same article ids and content hashes as published before"
    again = run_warta("snapshot", "--verify", "--data-dir", str(data_dir))
    assert again.returncode == 0 and "3 partitions checked, OK" in again.stdout


def test_a_lost_staging_segment_is_recovered_from_the_archive(archived, tmp_path):
    _, site, published = archived
    data_dir = tmp_path / "data"
    with DemoServer(site) as server:
        assert run_warta(*crawl_args(server, site, data_dir)).returncode == 0
    segment = next((data_dir / "staging").glob("medcom/*.jsonl"))
    segment.write_bytes(segment.read_bytes()[: segment.stat().st_size // 3])
    assert run_warta("snapshot", "--data-dir", str(data_dir)).returncode == 0
    assert len(contents(data_dir)) < len(published)
    repaired = run_warta("snapshot", "--repair", "--data-dir", str(data_dir))
    assert repaired.returncode == 0 and "archived articles missing" in repaired.stdout, repaired.stdout
    assert contents(data_dir) == published


def test_a_damaged_partition_blocks_only_its_own_day(copy):
    data_dir, site, published = copy
    days = sorted(p.name.removeprefix("date=") for p in (data_dir / "snapshots" / "site=medcom").glob("date=*"))
    where = _damage(data_dir, "truncate")
    damaged_day, other_day = where.removeprefix("date="), days[0]
    stage(
        data_dir,
        [article("NEWAAA01", date.fromisoformat(damaged_day)), article("NEWBBB01", date.fromisoformat(other_day))],
    )
    result = run_warta("snapshot", "--data-dir", str(data_dir))
    assert result.returncode == 1 and f"date={damaged_day}: unreadable" in result.stderr, result.stderr
    assert "NEWBBB01" in set(read_articles(data_dir, since=other_day, until=other_day)["article_id"])
    assert list((data_dir / "staging").glob("medcom/*.jsonl")), "the blocked day's staged article is kept"
    assert run_warta("snapshot", "--repair", "--data-dir", str(data_dir)).returncode == 0
    final = contents(data_dir)
    assert {"NEWAAA01", "NEWBBB01"} <= set(final) and set(published) <= set(final)


def test_reparse_applies_todays_parser_without_network_and_is_idempotent(copy):
    data_dir, site, published = copy
    result = run_warta("reparse", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    assert f"{len(published)} articles re-extracted" in result.stdout, result.stdout
    assert contents(data_dir) == published, "today's parser is yesterday's: nothing changes"
    again = run_warta(
        "reparse", "medcom", "--since", str(site.days[1]), "--until", str(site.days[1]), "--data-dir", str(data_dir)
    )
    assert again.returncode == 0 and "1 days rebuilt" in again.stdout, again.stdout
    assert contents(data_dir) == published


@pytest.mark.parametrize("command", ["reparse", "repair"])
def test_sigkill_during_reparse_or_repair_loses_nothing(copy, command):
    data_dir, site, published = copy
    args = ["reparse"] if command == "reparse" else ["snapshot", "--repair"]
    if command == "repair":
        for day_dir in list((data_dir / "snapshots" / "site=medcom").glob("date=*"))[:2]:
            shutil.rmtree(day_dir)
    for delay in (0.4, 0.9):
        proc = start_warta(*args, "--data-dir", str(data_dir), data_dir=data_dir)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finished = run_warta(*args, "--data-dir", str(data_dir))
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert contents(data_dir) == published
    assert run_warta("snapshot", "--verify", "--data-dir", str(data_dir)).returncode == 0


def test_the_archive_can_be_switched_off(tmp_path):
    site = generate_site(n_articles=10, days=1)
    with DemoServer(site) as server:
        proc = scrapy_crawl(
            tmp_path, *spider_args(server, site.days[0], site.days[0]), "-s", "RAW_ARCHIVE_ENABLED=False"
        )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert list((tmp_path / "staging").glob("medcom/*.jsonl")) and not (tmp_path / "raw").exists()
    assert DataDir(tmp_path).raw("medcom") == "raw/site=medcom"


def test_reparse_drops_what_the_crawl_would_drop_by_the_same_reason(tmp_path, site):
    """One drop rule (pipeline.drops) for the crawl and for re-extraction: an archived page that
    claims the year 9999 is `implausible_date`, never a partition, however it comes back."""
    import dataclasses
    from datetime import UTC, datetime

    from demosite.generator import WIB
    from demosite.markup import render_article
    from pipeline.items import FetchedPage
    from pipeline.snapshots.reparse import reparse
    from pipeline.store.warc import RawWriter, warc_record

    future = dataclasses.replace(site.articles[0], published_at=datetime(9999, 12, 31, 10, tzinfo=WIB))
    fine = site.articles[1]
    writer = RawWriter(DataDir(tmp_path), "medcom", max_bytes=1 << 30)
    for a in (future, fine):
        url = "https://www.medcom.id" + a.path
        page = FetchedPage(url, url, 200, render_article(a, site).encode(), datetime.now(UTC), article_id=a.article_id)
        writer.add(page, warc_record(page, None))
    writer.flush()
    writer.close()
    report = reparse(tmp_path, "medcom")
    assert report.dropped == {"implausible_date": 1}, report.dropped
    assert set(read_articles(tmp_path, columns=["article_id"])["article_id"]) == {fine.article_id}
