"""The real-page corpus (issue 14): where it lives, how to load it, and how to score a body.

The corpus is built by `build_corpus.py` outside git (see README.md). Two body metrics:

- `body_f1` (ours, per page): lower-cased `\\w+` tokens, multiset of word 4-gram shingles,
  precision / recall / F1 of the multiset overlap. Both texts empty: 1.0 everywhere; exactly one
  empty: 0.0 everywhere. A text of 1-3 tokens is one shorter shingle. Report the mean over pages.
- `ScrapinghubMetric`: the scoring of scrapinghub/article-extraction-benchmark (its evaluate.py),
  re-implemented from its documented behaviour so that figures compare with its README table:
  case-sensitive `\\w+` tokens; 4-gram shingles (a text of 1-3 tokens is one shorter shingle, an
  empty text has none); per page, TP/FP/FN of the shingle multisets, normalised by their sum so
  every page weighs the same; page precision = 1 when FP = FN = 0, 0 when TP = FP = 0, else
  TP/(TP+FP) (recall likewise with FN); precision is averaged over the pages where TP+FP > 0
  (an empty prediction does not count against precision, only recall), recall over the pages where
  TP+FN > 0; F1 = harmonic mean of the two averages (not a mean of page F1s). Accuracy = share of
  pages whose token lists are equal. The ± figures are bootstrap standard deviations.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MANIFEST = "manifest.jsonl"


def corpus_dir() -> Path | None:
    """$WARTA_REALPAGES, else the `shared/realpages` folder beside the repository: the first
    that holds a manifest; None when the corpus is nowhere (tests then skip)."""
    candidates = []
    if os.environ.get("WARTA_REALPAGES"):
        candidates.append(Path(os.environ["WARTA_REALPAGES"]))
    candidates.append(REPO.parent / "shared" / "realpages")
    for candidate in candidates:
        if (candidate / MANIFEST).is_file():
            return candidate
    return None


def load_manifest(directory: Path | str) -> list[dict]:
    with open(Path(directory) / MANIFEST, encoding="utf-8") as fh:
        return sorted((json.loads(line) for line in fh if line.strip()), key=lambda r: r["id"])


def load_pages(directory: Path | str | None = None) -> list[dict]:
    """Every manifest record, sorted by id, with `html`: the page's original bytes, and `text`:
    the page decoded from UTF-8 (both sources store their pages UTF-8 encoded, whatever the
    page declares)."""
    directory = Path(directory) if directory is not None else corpus_dir()
    if directory is None:
        raise FileNotFoundError("no real-page corpus: run benchmarks/realpages/build_corpus.py")
    records = load_manifest(directory)
    for record in records:
        record["html"] = gzip.decompress((directory / "pages" / f"{record['id']}.html.gz").read_bytes())
        record["text"] = record["html"].decode("utf-8", errors="replace")
    return records


def gold_text(record: dict) -> str:
    return "\n".join(record["gold"]["body"])


# ---------------------------------------------------------------------------------------------
# our per-page body F1

_WORD = re.compile(r"\w+")


def _shingles(tokens: list[str], n: int) -> Counter:
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    f1: float


def body_prf(predicted: str | None, gold: str | None, n: int = 4) -> PRF:
    """Precision, recall and F1 of lower-cased word n-gram shingle multisets (see module doc)."""
    got = _shingles(_WORD.findall((predicted or "").lower()), n)
    want = _shingles(_WORD.findall((gold or "").lower()), n)
    if not got and not want:
        return PRF(1.0, 1.0, 1.0)
    if not got or not want:
        return PRF(0.0, 0.0, 0.0)
    hit = sum((got & want).values())
    precision, recall = hit / sum(got.values()), hit / sum(want.values())
    f1 = 2 * precision * recall / (precision + recall) if hit else 0.0
    return PRF(precision, recall, f1)


def body_f1(predicted: str | None, gold: str | None, n: int = 4) -> float:
    return body_prf(predicted, gold, n).f1


# ---------------------------------------------------------------------------------------------
# the article-extraction-benchmark metric


def _sh_tokens(text: str | None) -> list[str]:
    return _WORD.findall(text or "")  # no lower-casing: the benchmark's tokens keep their case


def sh_tp_fp_fn(predicted: str | None, gold: str | None, n: int = 4) -> tuple[float, float, float]:
    """One page's TP, FP, FN shingle counts, normalised to sum to 1 (all 0 when both are empty)."""
    got = _shingles(_sh_tokens(predicted), n)
    want = _shingles(_sh_tokens(gold), n)
    tp = sum((got & want).values())
    fp = sum((got - want).values())
    fn = sum((want - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _page_precision(tp: float, fp: float, fn: float) -> float:
    if fp == 0 and fn == 0:
        return 1.0
    return 0.0 if tp == 0 and fp == 0 else tp / (tp + fp)


def _page_recall(tp: float, fp: float, fn: float) -> float:
    if fp == 0 and fn == 0:
        return 1.0
    return 0.0 if tp == 0 and fn == 0 else tp / (tp + fn)


def sh_scores(counts: list[tuple[float, float, float]]) -> dict[str, float]:
    precisions = [_page_precision(*c) for c in counts if c[0] + c[1] > 0]
    recalls = [_page_recall(*c) for c in counts if c[0] + c[2] > 0]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall}


@dataclass
class ScrapinghubMetric:
    """Accumulate pages with add(), then scores() / line()."""

    counts: list[tuple[float, float, float]] = field(default_factory=list)
    exact: list[bool] = field(default_factory=list)

    def add(self, predicted: str | None, gold: str | None) -> None:
        self.counts.append(sh_tp_fp_fn(predicted, gold))
        self.exact.append(_sh_tokens(predicted) == _sh_tokens(gold))

    def scores(self, n_bootstrap: int = 0, seed: int = 0) -> dict[str, float]:
        out = sh_scores(self.counts)
        out["accuracy"] = sum(self.exact) / len(self.exact) if self.exact else 0.0
        out["pages"] = len(self.counts)
        if n_bootstrap and len(self.counts) > 1:
            rng = random.Random(seed)
            samples: dict[str, list[float]] = {}
            n = len(self.counts)
            for _ in range(n_bootstrap):
                picks = [rng.randrange(n) for _ in range(n)]
                for key, value in sh_scores([self.counts[i] for i in picks]).items():
                    samples.setdefault(key, []).append(value)
                samples.setdefault("accuracy", []).append(sum(self.exact[i] for i in picks) / n)
            for key, values in samples.items():
                out[f"{key}_std"] = statistics.stdev(values)
        return out

    def line(self, name: str, n_bootstrap: int = 1000) -> str:
        s = self.scores(n_bootstrap)
        return (
            f"{name:<24} F1 {s['f1']:.3f} ± {s.get('f1_std', 0):.3f}  P {s['precision']:.3f} ± "
            f"{s.get('precision_std', 0):.3f}  R {s['recall']:.3f} ± {s.get('recall_std', 0):.3f}  "
            f"accuracy {s['accuracy']:.3f}  ({s['pages']} pages)"
        )


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
