"""Staging and the raw archive, each on its own (built as Scrapy builds it, see
tests/components.py): what is staged is durable before it is announced, and an article is
staged only once its raw record is."""

from __future__ import annotations

from crawler.extensions.seen_store import SeenStoreExtension, seen_store
from crawler.pipelines.raw_archive import RawArchivePipeline
from crawler.pipelines.staging import StagingPipeline
from crawler.signals import articles_staged
from extract.article import Article
from pipeline.items import FetchedPage
from pipeline.store.backends import LocalAppender
from pipeline.store.datadir import DataDir
from pipeline.store.staging import staged_segments
from pipeline.store.warc import iter_archive, warc_record
from tests.components import NOW, SEED, SEED_URL, crawler_for, item, page


def test_staging_writes_whole_records_and_announces_them_once_durable(tmp_path):
    crawler = crawler_for(tmp_path, STAGING_FLUSH_ITEMS=2)
    announced = []

    def receiver(items):
        announced.extend(i.article.article_id for i in items)

    crawler.signals.connect(receiver, signal=articles_staged)
    staging = StagingPipeline.from_crawler(crawler)
    staging.open_spider()
    out = staging.process_item(item("AAAA0001", "satu dua tiga"))
    assert isinstance(out, dict) and out["article_id"] == "AAAA0001", "exports see the article alone"
    assert announced == [], "not durable yet: nothing claimed"
    staging.process_item(item("AAAA0002", "empat lima enam"))
    assert announced == ["AAAA0001", "AAAA0002"]
    staging.process_item(item("AAAA0003", "tujuh delapan"))
    staging.close_spider()
    assert announced == ["AAAA0001", "AAAA0002", "AAAA0003"]
    records = []
    for segment in staged_segments(tmp_path):
        records += segment.records()
        segment.release()
    assert [r["article_id"] for r in records] == ["AAAA0001", "AAAA0002", "AAAA0003"]
    assert set(records[0]) == set(vars(Article("x", "medcom", "u", "t"))), "columns only, no bookkeeping"
    assert crawler.stats.get_value("warta/staged") == 3


def test_a_failed_staging_write_claims_nothing(tmp_path, monkeypatch):
    crawler = crawler_for(tmp_path, STAGING_FLUSH_ITEMS=1)
    staging = StagingPipeline.from_crawler(crawler)
    staging.open_spider()

    def disk_full(data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(staging.writer, "_write", disk_full)
    staging.process_item(item("AAAA0001", "satu dua tiga"))
    assert seen_store(crawler).get("medcom", "AAAA0001") is None
    assert crawler.stats.get_value("warta/staging/write_errors") == 1
    monkeypatch.undo()
    staging.close_spider()
    crawler.get_extension(SeenStoreExtension).settle()  # the owner writes beside the crawl's thread
    assert seen_store(crawler).get("medcom", "AAAA0001") is not None, "kept and written at the next attempt"


def test_an_article_is_staged_only_once_its_raw_record_is_durable(tmp_path, monkeypatch):
    crawler = crawler_for(
        tmp_path,
        STAGING_FLUSH_ITEMS=1,
        ITEM_PIPELINES={
            "crawler.pipelines.raw_archive.RawArchivePipeline": 250,
            "crawler.pipelines.staging.StagingPipeline": 900,
        },
    )
    archive = crawler.get_item_pipeline(RawArchivePipeline)
    staging = crawler.get_item_pipeline(StagingPipeline)
    archive.open_spider()
    staging.open_spider()

    def disk_full(appender, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(LocalAppender, "append", disk_full)  # the raw archive's write fails first
    staged = item("AAAA0001", "satu dua tiga")
    fetched = page(staged.url)
    archive.keep(fetched, warc_record(fetched, None))
    staging.process_item(staged)
    assert not list((tmp_path / "staging").glob("medcom/*.jsonl")) or not any(
        p.stat().st_size for p in (tmp_path / "staging").glob("medcom/*.jsonl")
    ), "no staged line without raw"
    monkeypatch.undo()
    staging.close_spider()
    archive.close_spider()
    assert [r.page.canonical for r in iter_archive(DataDir(tmp_path))] == [staged.url]
    crawler.get_extension(SeenStoreExtension).settle()  # the owner writes beside the crawl's thread
    assert seen_store(crawler).get("medcom", "AAAA0001") is not None


def test_a_compressed_response_is_archived_as_the_parser_saw_it(tmp_path):
    """Scrapy decompresses bodies: the record must not claim an encoding it no longer has, or
    WARC readers would decode it twice."""
    from pipeline.store.warc import RawWriter, read_at

    html = SEED.read_bytes()
    fetched = FetchedPage(
        SEED_URL,
        SEED_URL,
        200,
        html,
        NOW,
        {"content-encoding": ["gzip"], "content-length": ["99"], "content-type": ["text/html"]},
        article_id="nbwXaLxk",
    )
    writer = RawWriter(DataDir(tmp_path), "medcom", max_bytes=256 * 1024 * 1024)
    writer.add(fetched, warc_record(fetched, None))
    [(aid, _when, key, offset, length)] = writer.flush()
    writer.close()
    fast = read_at(DataDir(tmp_path), key, offset, length)
    assert aid == "nbwXaLxk" and fast.page.body == html and fast.page.status == 200
    assert fast.page.headers["x-warta-original-content-encoding"] == ["gzip"]
    [slow] = list(iter_archive(DataDir(tmp_path)))
    assert slow.page.body == html and slow.offset == offset, "warcio reads the same record"
