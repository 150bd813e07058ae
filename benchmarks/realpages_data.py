"""The real-page corpus (issue 14) for the benchmark and the tests: where it is, how to load
it, and how to score what a parser returns for its pages.

The corpus is built outside git (licences; the colleague's `benchmarks/realpages/
build_corpus.py`): `manifest.jsonl`, one JSON line per page (id, source, site, language, url,
gold {title, authors, published_at, body: [paragraphs]}), and `pages/<id>.html.gz`. No
Indonesian page is in it: the parser's own sites are never tuned on.

Metrics (the same definitions as `benchmarks/realpages/corpus.py`):
- `body_prf`: lower-cased `\\w+` tokens, multisets of word 4-gram shingles, precision / recall
  / F1 of their overlap; both texts empty is 1.0, one empty 0.0; a text of 1-3 tokens is one
  shorter shingle.
- `ScrapinghubMetric`: the article-extraction-benchmark's scoring (case-sensitive tokens,
  per-page TP/FP/FN normalised to sum 1, precision and recall averaged over the pages where
  they are defined, F1 the harmonic mean of the two averages).
- `same_instant`: to the second when the gold has seconds, else to the minute; a naive or
  missing value is a miss.
"""
from __future__ import annotations

import gzip
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MANIFEST = "manifest.jsonl"
_WORD = re.compile(r"\w+")


def corpus_dir() -> Path | None:
    """$WARTA_REALPAGES, else <repo>/../shared/realpages, else /work/realpages: the first that
    holds a manifest; None when the corpus is nowhere."""
    candidates = [Path(os.environ["WARTA_REALPAGES"])] if os.environ.get("WARTA_REALPAGES") else []
    candidates += [REPO.parent / "shared" / "realpages", Path("/work/realpages")]
    return next((c for c in candidates if (c / MANIFEST).is_file()), None)


def load_manifest(directory: Path) -> list[dict]:
    with open(directory / MANIFEST, encoding="utf-8") as fh:
        return sorted((json.loads(line) for line in fh if line.strip()), key=lambda r: r["id"])


def load_pages(directory: Path) -> list[dict]:
    """Every manifest record, sorted by id, with `text`: the page decoded from UTF-8 (both
    sources store their pages UTF-8 encoded, whatever the page declares)."""
    records = load_manifest(directory)
    for record in records:
        raw = gzip.decompress((directory / "pages" / f"{record['id']}.html.gz").read_bytes())
        record["text"] = raw.decode("utf-8", errors="replace")
    return records


def gold_text(record: dict) -> str:
    return "\n".join(record["gold"]["body"])


def _shingles(tokens: list[str], n: int = 4) -> Counter:
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    f1: float


def body_prf(predicted: str | None, gold: str | None) -> PRF:
    got = _shingles(_WORD.findall((predicted or "").lower()))
    want = _shingles(_WORD.findall((gold or "").lower()))
    if not got and not want:
        return PRF(1.0, 1.0, 1.0)
    if not got or not want:
        return PRF(0.0, 0.0, 0.0)
    hit = sum((got & want).values())
    precision, recall = hit / sum(got.values()), hit / sum(want.values())
    return PRF(precision, recall, 2 * precision * recall / (precision + recall) if hit else 0.0)


@dataclass
class ScrapinghubMetric:
    """Add pages with `add`, then read `scores()`."""
    counts: list[tuple[float, float, float]] = field(default_factory=list)

    def add(self, predicted: str | None, gold: str | None) -> None:
        got, want = _shingles(_WORD.findall(predicted or "")), _shingles(_WORD.findall(gold or ""))
        tp, fp, fn = sum((got & want).values()), sum((got - want).values()), sum((want - got).values())
        total = tp + fp + fn
        self.counts.append((tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0))

    def scores(self) -> dict[str, float]:
        def precision(tp, fp, fn):
            return 1.0 if fp == fn == 0 else 0.0 if tp == fp == 0 else tp / (tp + fp)

        def recall(tp, fp, fn):
            return 1.0 if fp == fn == 0 else 0.0 if tp == fn == 0 else tp / (tp + fn)

        ps = [precision(*c) for c in self.counts if c[0] + c[1] > 0]
        rs = [recall(*c) for c in self.counts if c[0] + c[2] > 0]
        p, r = (sum(ps) / len(ps) if ps else 0.0), (sum(rs) / len(rs) if rs else 0.0)
        return {"f1": 2 * p * r / (p + r) if p + r else 0.0, "precision": p, "recall": r, "pages": len(self.counts)}


def norm_ws(text: str | None) -> str:
    return " ".join((text or "").split())


def same_title(got: str | None, gold: str | None) -> bool | None:
    return None if not gold else norm_ws(got) == norm_ws(gold)


def same_authors(got: list[str] | None, gold: list[str] | None) -> bool | None:
    return None if not gold else sorted(map(norm_ws, got or [])) == sorted(map(norm_ws, gold))


def same_instant(got, gold_iso: str | None) -> bool | None:
    """None when the gold has no time; to the second when the gold has seconds, else to the
    minute. A naive or missing value is a miss."""
    if not gold_iso:
        return None
    if not isinstance(got, datetime) or got.tzinfo is None:
        return False
    gold = datetime.fromisoformat(gold_iso)
    a, b = got.astimezone(timezone.utc).replace(microsecond=0), gold.astimezone(timezone.utc).replace(microsecond=0)
    if gold.second == 0 and gold.microsecond == 0:
        return a.replace(second=0) == b.replace(second=0)
    return a == b
