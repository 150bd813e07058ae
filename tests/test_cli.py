"""The `warta` command line: wrong arguments, `warta parse`, `warta snapshot --verify`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_warta

SEED = Path(__file__).parent / "fixtures" / "medcom" / "seed-wang-yi-lavrov"


@pytest.mark.parametrize(
    "args, reason",
    [
        (["crawl", "medcom", "--since", "2023-13-01"], "not a date"),
        (["crawl", "medcom", "--since", "yesterday"], "not a date"),
        (["crawl", "nosuchsite"], "unknown site"),
        (["crawl", "medcom", "--since", "2023-09-20", "--until", "2023-09-19"], "after"),
        (["crawl", "medcom", "--until", "2023-09-19"], "needs --since"),
        (["crawl", "medcom", "--base-url", "ftp://example.org"], "http(s) URL"),
        (["crawl", "medcom", "--limit", "0"], "positive"),
        (["snapshot", "--date", "2023-02-30"], "not a date"),
        (["parse", "missing.html", "--url", "https://www.medcom.id/x/y/abcdefgh-z"], "cannot read"),
        (["parse", "nope.warc.gz"], "cannot read nope.warc.gz: No such file or directory"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_wrong_argument_exits_nonzero_with_one_line(args, reason, tmp_path):
    result = run_warta(*args, data_dir=tmp_path, timeout=60)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert reason in lines[0]


def test_parse_prints_the_article_columns_as_json():
    json_spec = json.loads(SEED.with_suffix(".json").read_text())
    result = run_warta("parse", str(SEED.with_suffix(".html")), "--url", json_spec["url"])
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["body"] == json_spec["expected"]["body"]
    assert article["editor"] == "WIL" and article["dateline"] == "Moskow"
    assert article["published_at"] == "2023-09-19T14:30:00+07:00"


def test_parse_explain_names_the_rule_behind_each_removal():
    url = json.loads(SEED.with_suffix(".json").read_text())["url"]
    result = run_warta("parse", str(SEED.with_suffix(".html")), "--url", url, "--explain")
    out = json.loads(result.stdout)
    rules: dict[str, list[str]] = {}
    for r in out["removed"]:
        rules.setdefault(r["rule"], []).append(r["text"])
    assert rules["google_news"] == ["Cek Berita dan Artikel yang lain di", "Google News"]
    assert rules["editor_code"] == ["(WIL)"]
    assert rules["related_link"][0].startswith("Baca juga")
    assert out["sources"]["body"].startswith("css:")


def test_parse_of_a_non_article_fails_clearly(tmp_path):
    page = tmp_path / "video.html"
    page.write_text("<html><body><h1>Video</h1><video></video></body></html>")
    result = run_warta("parse", str(page), "--url", "https://www.medcom.id/video/sorotan/Abcdefgh-klip")
    assert result.returncode == 1
    assert "not an article" in result.stderr


VIDEO = "https://www.medcom.id/video/sorotan/Abcdefgh-klip"


def video_record() -> bytes:
    """A WARC response record of a page that is no article."""
    from datetime import UTC, datetime

    from pipeline.items import FetchedPage
    from pipeline.store.warc import warc_record

    body = b"<html><body><h1>Video</h1><video></video></body></html>"
    return warc_record(FetchedPage(VIDEO, VIDEO, 200, body, datetime.now(UTC)), None)


def test_parse_of_a_whole_warc_file_prints_one_json_line_per_record(tmp_path):
    from warcio.archiveiterator import ArchiveIterator

    from demosite import DemoServer, generate_site
    from tests.conftest import crawl_args

    site = generate_site(n_articles=8, days=1, reposts=0)
    with DemoServer(site) as server:
        crawl = run_warta(*crawl_args(server, site, tmp_path))
    assert crawl.returncode == 0, crawl.stderr
    [warc] = (tmp_path / "raw").rglob("*.warc.gz")
    with warc.open("ab") as fh:  # a record of a page that is not an article, last
        fh.write(video_record())
    with warc.open("rb") as fh:
        urls = [r.rec_headers["WARC-Warta-Canonical"] for r in ArchiveIterator(fh) if r.rec_type == "response"]
    assert len(urls) == 9 and urls[-1] == VIDEO

    result = run_warta("parse", str(warc))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["url"] for line in lines] == urls, "one line per record, in the file's order"
    assert all(line["article_id"] and line["body"] for line in lines[:-1])
    assert lines[-1] == {"url": VIDEO, "error": lines[-1]["error"]} and lines[-1]["error"].startswith("not an article")
    assert result.stderr.splitlines()[-1] == "warta parse: parsed 8 of 9 records as articles"


def test_parse_of_a_warc_file_without_an_article_fails(tmp_path):
    warc = tmp_path / "video.warc.gz"
    warc.write_bytes(video_record())
    result = run_warta("parse", str(warc))
    assert result.returncode == 1
    assert [json.loads(line)["url"] for line in result.stdout.splitlines()] == [VIDEO]
    assert result.stderr.splitlines() == ["warta parse: parsed 0 of 1 records as articles"]


def test_parse_of_a_file_that_is_not_a_warc_is_one_line(tmp_path):
    for name, data in (("page.warc.gz", b"<html>not a WARC</html>"), ("empty.warc", b"")):
        (tmp_path / name).write_bytes(data)
        result = run_warta("parse", str(tmp_path / name))
        assert result.returncode == 1 and not result.stdout
        assert result.stderr.splitlines() == [f"warta parse: error: {tmp_path / name} is not a WARC file"]


def test_scrapy_crawl_rejects_a_wrong_argument_without_a_traceback(tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT, warta_env

    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "medcom", "-a", "since=2023-02-30"],
        cwd=ROOT,
        env=warta_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith("not a date in YYYY-MM-DD form: '2023-02-30'")


@pytest.mark.parametrize(
    "summary, distributed, code, says",
    [
        ({"finish_reason": "finished", "pages": 0, "requests": 0}, True, 0, "nothing was left"),
        ({"finish_reason": "finished", "pages": 0, "requests": 7}, True, 1, "no page could be fetched"),
        ({"finish_reason": "finished", "pages": 0, "requests": 0}, False, 1, "no page could be fetched"),
        ({"finish_reason": "shutdown", "pages": 9, "requests": 9}, False, 1, "stopped early"),
        ({"finish_reason": "finished", "pages": 9, "requests": 9}, True, 0, None),
    ],
)
def test_a_late_distributed_worker_with_nothing_left_is_not_a_failure(summary, distributed, code, says):
    from warta.commands.crawl import crawl_outcome

    got_code, message = crawl_outcome(summary, distributed)
    assert got_code == code and (message is None if says is None else says in message)
