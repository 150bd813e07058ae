"""Snapshot building and reading, in process, from staged records."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline import read_articles
from pipeline.snapshots.build import build
from pipeline.store.datadir import DataDir
from pipeline.store.partitions import verify
from pipeline.store.schema import SCHEMA_VERSION_KEY
from pipeline.store.staging import SegmentWriter
from tests.components import medcom_article
from tests.contract import check_arrow_types

WIB = timezone(timedelta(hours=7))


def partition_dir(data_dir, site: str, day: str) -> Path:
    return Path(data_dir) / DataDir.partition(site, day)


def staging_dir(data_dir) -> Path:
    return Path(data_dir) / "staging"


def article(aid: str, day: date, body: str = "Isi berita.", crawled: int = 0, **extra) -> dict:
    published = datetime(day.year, day.month, day.day, 9, 0, tzinfo=WIB)
    crawled_at = datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=crawled)
    return medcom_article(aid, body, body, published, crawled_at, **extra).__dict__


def stage(data_dir: Path, records: list[dict]) -> None:
    writer = SegmentWriter(Path(data_dir), "medcom", flush_items=50, flush_seconds=2.0)
    for r in records:
        writer.add(r)
    writer.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_empty_columns_keep_their_types(tmp_path):
    stage(tmp_path, [article("AAAAAAA1", date(2026, 1, 2)), article("AAAAAAA2", date(2026, 1, 2))])
    build(tmp_path)
    schema = pq.read_schema(partition_dir(tmp_path, "medcom", "2026-01-02") / "part-0.parquet")
    assert str(schema.field("kicker").type) == "string"  # all null that day, still a string
    assert schema.field("authors").type.value_type == pa.string()
    assert schema.metadata[SCHEMA_VERSION_KEY] == b"1"
    df = read_articles(tmp_path)
    assert len(df) == 2 and set(df["site"]) == {"medcom"}


def test_partition_is_the_wib_day(tmp_path):
    late = article("AAAAAAA3", date(2026, 1, 2))
    late["published_at"] = datetime(2026, 1, 2, 17, 30, tzinfo=timezone.utc)  # 00:30 WIB on Jan 3
    stage(tmp_path, [late])
    build(tmp_path)
    assert (partition_dir(tmp_path, "medcom", "2026-01-03") / "part-0.parquet").exists()


def test_rebuild_with_nothing_new_changes_no_byte(tmp_path):
    stage(tmp_path, [article(f"BBBBBBB{i}", date(2026, 1, 1 + i % 3)) for i in range(9)])
    build(tmp_path)
    files = sorted((tmp_path / "snapshots").rglob("*"))
    before = {p: digest(p) for p in files if p.is_file()}
    report = build(tmp_path, rebuild_all=True)
    assert report.partitions_written == 0 and report.partitions_unchanged == 3
    assert {p: digest(p) for p in before} == before


def test_upsert_keeps_the_latest_crawl_and_counts_updates(tmp_path):
    stage(tmp_path, [article("CCCCCCC1", date(2026, 1, 1), "Versi lama.", crawled=0)])
    build(tmp_path)
    stage(
        tmp_path,
        [
            article("CCCCCCC1", date(2026, 1, 1), "Versi baru.", crawled=5),
            article("CCCCCCC1", date(2026, 1, 1), "Versi basi.", crawled=-5),
        ],
    )
    report = build(tmp_path)
    assert report.updated_articles == 1
    df = read_articles(tmp_path)
    assert df["body"].tolist() == ["Versi baru."]


def test_torn_last_line_is_skipped_and_counted(tmp_path):
    stage(tmp_path, [article("DDDDDDD1", date(2026, 1, 1))])
    segment = next(staging_dir(tmp_path).glob("*/*.jsonl"))
    with open(segment, "ab") as fh:
        fh.write(b'{"article_id": "DDDDDDD2", "tit')
    report = build(tmp_path)
    assert report.torn_lines == 1 and report.rows == 1
    assert not list(staging_dir(tmp_path).glob("*/*.jsonl")), "published staging is cleaned up"


def test_only_requested_dates_are_built_and_the_rest_stays_staged(tmp_path):
    stage(tmp_path, [article("EEEEEEE1", date(2026, 1, 1)), article("EEEEEEE2", date(2026, 1, 2))])
    build(tmp_path, dates={date(2026, 1, 1)})
    assert read_articles(tmp_path)["article_id"].tolist() == ["EEEEEEE1"]
    assert list(staging_dir(tmp_path).glob("*/*.jsonl"))
    build(tmp_path)
    assert read_articles(tmp_path)["article_id"].tolist() == ["EEEEEEE1", "EEEEEEE2"]


def test_read_articles_prunes_by_date_site_and_columns(tmp_path):
    stage(tmp_path, [article(f"FFFFFF{i:02d}", date(2026, 1, 1) + timedelta(days=i)) for i in range(10)])
    build(tmp_path)
    df = read_articles(
        tmp_path, since="2026-01-03", until=date(2026, 1, 5), site="medcom", columns=["article_id", "title"]
    )
    assert df["article_id"].tolist() == ["FFFFFF02", "FFFFFF03", "FFFFFF04"]
    assert list(df.columns) == ["article_id", "title"]
    with pytest.raises(ValueError, match="known: medcom"):
        read_articles(tmp_path, site="other")
    with pytest.raises(ValueError, match="unknown columns"):
        read_articles(tmp_path, columns=["nope"])
    with pytest.raises(FileNotFoundError):
        read_articles(tmp_path / "nothing")


def test_verify_detects_a_damaged_partition(tmp_path, warta):
    stage(tmp_path, [article("GGGGGGG1", date(2026, 1, 1))])
    build(tmp_path)
    assert verify(tmp_path)[1] == []
    part = partition_dir(tmp_path, "medcom", "2026-01-01") / "part-0.parquet"
    part.write_bytes(part.read_bytes()[:-10])
    result = warta("snapshot", "--verify", "--data-dir", str(tmp_path))
    assert result.returncode == 1 and "checksum" in result.stdout


def test_dataset_schema_matches_the_contract(tmp_path):
    import pyarrow.dataset as ds

    stage(tmp_path, [article("HHHHHHH1", date(2026, 1, 1), kicker="Sorotan", authors=["A B"])])
    build(tmp_path)
    assert check_arrow_types(ds.dataset(tmp_path / "snapshots", partitioning="hive").schema) == []
    manifest = json.loads((partition_dir(tmp_path, "medcom", "2026-01-01") / "_manifest.json").read_text())
    assert manifest["rows"] == 1 and manifest["schema_version"] == 1


def test_partitions_of_an_older_schema_stay_readable_with_new_ones(tmp_path):
    from pipeline.store.schema import file_schema, records_to_table

    old_columns = [name for name in file_schema().names if name not in ("duplicate_of", "language")]
    old_table = records_to_table([article("OLD00001", date(2025, 12, 31))]).select(old_columns)
    old_table = old_table.replace_schema_metadata({b"warta.schema_version": b"0"})
    old_dir = partition_dir(tmp_path, "medcom", "2025-12-31")
    old_dir.mkdir(parents=True)
    pq.write_table(old_table, old_dir / "part-0.parquet")
    stage(tmp_path, [article("NEW00001", date(2026, 1, 1), language="id")])
    build(tmp_path)

    df = read_articles(tmp_path)
    assert df["article_id"].tolist() == ["OLD00001", "NEW00001"]
    assert df["language"].isna().tolist() == [True, False]
    assert read_articles(tmp_path, columns=["article_id", "duplicate_of"])["duplicate_of"].isna().all()

    stage(tmp_path, [article("OLD00002", date(2025, 12, 31))])
    build(tmp_path)  # touching the old partition rewrites it with the current schema
    schema = pq.read_schema(old_dir / "part-0.parquet")
    assert "language" in schema.names and schema.metadata[SCHEMA_VERSION_KEY] == b"1"
    assert sorted(read_articles(tmp_path)["article_id"]) == ["NEW00001", "OLD00001", "OLD00002"]


def test_a_stale_manifest_is_repaired_by_the_next_build(tmp_path):
    stage(tmp_path, [article("MMMMMMM1", date(2026, 1, 1))])
    build(tmp_path)
    manifest = partition_dir(tmp_path, "medcom", "2026-01-01") / "_manifest.json"
    manifest.write_text(manifest.read_text().replace('"sha256": "', '"sha256": "0'))  # as if killed mid-publish
    assert verify(tmp_path)[1]
    build(tmp_path, rebuild_all=True)
    assert verify(tmp_path)[1] == []
