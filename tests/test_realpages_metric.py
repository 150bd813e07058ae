"""The real-page corpus helpers (benchmarks/realpages/corpus.py): metric semantics on small
hand-made texts, and, when the corpus is built on this machine, its manifest's shape."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks" / "realpages"))

import corpus
from corpus import ScrapinghubMetric, body_f1, body_prf, sh_tp_fp_fn

TEXT = "the quick brown fox jumps over the lazy dog"


def test_body_f1_identical_and_case_insensitive():
    assert body_f1(TEXT, TEXT) == 1.0
    assert body_f1(TEXT.upper(), TEXT) == 1.0
    assert body_f1("The quick, brown fox -- jumps over the lazy dog!", TEXT) == 1.0


def test_body_f1_empty_cases():
    assert body_prf("", "") == corpus.PRF(1.0, 1.0, 1.0)
    assert body_prf(None, TEXT) == corpus.PRF(0.0, 0.0, 0.0)
    assert body_prf(TEXT, "  ") == corpus.PRF(0.0, 0.0, 0.0)


def test_body_f1_partial_counts_multiset_shingles():
    # 9 tokens -> 6 gold shingles; the prediction keeps the first 6 tokens -> 3 shingles, all right
    score = body_prf("the quick brown fox jumps over", TEXT)
    assert score.precision == 1.0 and score.recall == pytest.approx(3 / 6)
    # a repeated paragraph is counted twice, so precision drops
    doubled = body_prf(TEXT + "\n" + TEXT, TEXT)
    assert doubled.recall == 1.0 and doubled.precision < 0.6


def test_body_f1_short_texts_are_one_shingle():
    assert body_f1("hello world", "Hello world") == 1.0
    assert body_f1("hello world", "hello there") == 0.0


def test_scrapinghub_metric_is_case_sensitive_and_normalised():
    tp, fp, fn = sh_tp_fp_fn(TEXT, TEXT.capitalize())
    assert tp + fp + fn == pytest.approx(1.0) and fp > 0  # "The" != "the"
    assert sh_tp_fp_fn("", "") == (0.0, 0.0, 0.0)


def test_scrapinghub_metric_averaging():
    metric = ScrapinghubMetric()
    metric.add(TEXT, TEXT)  # perfect page
    metric.add("", TEXT)  # empty prediction: only recall counts it
    metric.add("", "")  # both empty: left out of both averages
    scores = metric.scores()
    assert scores["precision"] == 1.0
    assert scores["recall"] == pytest.approx(0.5)
    assert scores["f1"] == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    assert scores["accuracy"] == pytest.approx(2 / 3)


def test_corpus_dir_env(tmp_path, monkeypatch):
    monkeypatch.setenv("WARTA_REALPAGES", str(tmp_path))
    assert corpus.corpus_dir() != tmp_path  # no manifest there: not a corpus
    (tmp_path / "manifest.jsonl").write_text("")
    assert corpus.corpus_dir() == tmp_path
    assert corpus.load_pages(tmp_path) == []


def test_built_corpus_manifest():
    directory = corpus.corpus_dir()
    if directory is None:
        pytest.skip("real-page corpus not built here (benchmarks/realpages/build_corpus.py)")
    records = corpus.load_manifest(directory)
    assert len(records) >= 150
    assert len({r["site"] for r in records}) >= 40
    assert len({r["language"] for r in records}) >= 5
    for r in records:
        assert r["language"] not in ("id", None)
        assert not (r["site"] or "").endswith(".id")
        assert r["gold"]["body"] and all(isinstance(p, str) and p for p in r["gold"]["body"])
        assert r["commit"] and r["license"] == "MIT"
        assert (directory / "pages" / f"{r['id']}.html.gz").is_file()
