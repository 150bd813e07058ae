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
