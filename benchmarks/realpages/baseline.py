"""Baseline on the real-page corpus: warta's parser next to trafilatura, page by page.

For every page of the corpus (see README.md; built by build_corpus.py):
- trafilatura: `trafilatura.extract(html, url=url)` with its defaults;
- warta: `crawler.parse_article(html, url)`; a NotAnArticle (or any ValueError) counts as an
  empty body, any other exception too (counted apart).
Both get the page as text, decoded from UTF-8: both sources store every page UTF-8 encoded
(Fundus re-encodes what it decoded, whatever the page's <meta charset> says, e.g. WinFuture and
El Mundo declare ISO-8859-x), so the text is what a crawler honouring the HTTP charset would have.

Prints: mean body F1 (corpus.body_f1) overall, per language and per source; the
article-extraction-benchmark metric on the scrapinghub pages; warta's title / published_at /
authors exact rates where the gold has them; pages where warta < 0.5 while trafilatura >= 0.8;
time per page; the worst pages for warta. --json writes every page's figures.

Usage: PYTHONPATH=. python benchmarks/realpages/baseline.py [--corpus DIR] [--json OUT] [--worst N]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent.parent))

from corpus import ScrapinghubMetric, body_prf, corpus_dir, gold_text, load_pages  # noqa: E402


def norm_ws(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def same_instant(got, gold_iso: str | None) -> bool | None:
    """None when the gold has no time; to the second when the gold has seconds, else to the
    minute. A naive or missing parsed time is a miss."""
    if not gold_iso:
        return None
    gold = datetime.fromisoformat(gold_iso)
    if isinstance(got, str):
        try:
            got = datetime.fromisoformat(got)
        except ValueError:
            return False
    if not isinstance(got, datetime) or got.tzinfo is None:
        return False
    a, b = got.astimezone(UTC), gold.astimezone(UTC)
    if gold.second == 0 and gold.microsecond == 0:
        return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)
    return a.replace(microsecond=0) == b.replace(microsecond=0)


def run_trafilatura(html: str, url: str) -> tuple[str, float]:
    import trafilatura

    started = time.perf_counter()
    text = trafilatura.extract(html, url=url) or ""
    return text, time.perf_counter() - started


def run_warta(html: str, url: str) -> tuple[dict, float]:
    from crawler import parse_article

    started = time.perf_counter()
    try:
        article = parse_article(html, url)
        outcome = {
            "body": article.get("body") or "",
            "title": article.get("title"),
            "published_at": article.get("published_at"),
            "authors": article.get("authors") or [],
            "error": None,
        }
    except ValueError as exc:  # NotAnArticle is a ValueError
        outcome = {
            "body": "",
            "title": None,
            "published_at": None,
            "authors": [],
            "error": f"{type(exc).__name__}: {exc}"[:200],
        }
    except Exception as exc:  # noqa: BLE001 - a crash is a finding, not a reason to stop
        outcome = {
            "body": "",
            "title": None,
            "published_at": None,
            "authors": [],
            "error": f"CRASH {type(exc).__name__}: {exc}"[:200],
        }
    return outcome, time.perf_counter() - started


MOJIBAKE = re.compile("[\u00c2-\u00c5\u00d0\u00d1][\u0080-\u00bf]|\u00e2\u0080|\u00c3[\u0080-\u00bf\u00a0-\u00bf]")


def body_source(html: str, url: str) -> str:
    """Which selector gave warta's body (its parse records it), or why there was none; for the
    worst-page list only: an internal of the parser, so any failure here just says '?'."""
    try:
        from crawler.parse import parse_page
        from crawler.profiles import profile_for_url

        return parse_page(html, url, profile_for_url(url)).sources.get("body", "?")
    except ValueError as exc:
        return str(exc).split(":")[0]
    except Exception:  # noqa: BLE001
        return "?"


def mean(values) -> float:
    values = list(values)
    return statistics.fmean(values) if values else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="write per-page results here")
    parser.add_argument("--worst", type=int, default=15)
    parser.add_argument("--limit", type=int, default=0, help="first N pages only (a quick look)")
    args = parser.parse_args()
    directory = args.corpus or corpus_dir()
    if directory is None:
        print("no corpus: run benchmarks/realpages/build_corpus.py first", file=sys.stderr)
        return 2
    pages = load_pages(directory)
    if args.limit:
        pages = pages[: args.limit]
    for page in pages:
        page["text"] = page["html"].decode("utf-8", errors="replace")

    # warm both up once (imports, lazy tables) outside the timings
    run_trafilatura(pages[0]["text"], pages[0]["url"])
    run_warta(pages[0]["text"], pages[0]["url"])

    results = []
    sh_metric = {"warta": ScrapinghubMetric(), "trafilatura": ScrapinghubMetric()}
    for page in pages:
        gold = gold_text(page)
        traf_body, traf_s = run_trafilatura(page["text"], page["url"])
        warta, warta_s = run_warta(page["text"], page["url"])
        w, t = body_prf(warta["body"], gold), body_prf(traf_body, gold)
        g = page["gold"]
        row = {
            "id": page["id"],
            "source": page["source"],
            "language": page["language"],
            "site": page["site"],
            "url": page["url"],
            "warta_f1": w.f1,
            "warta_p": w.precision,
            "warta_r": w.recall,
            "traf_f1": t.f1,
            "traf_p": t.precision,
            "traf_r": t.recall,
            "warta_s": warta_s,
            "traf_s": traf_s,
            "gold_words": len(gold.split()),
            "warta_words": len(warta["body"].split()),
            "traf_words": len(traf_body.split()),
            "warta_error": warta["error"],
            "title_gold": g["title"],
            "title_warta": warta["title"],
            "title_ok": None if not g["title"] else norm_ws(g["title"]) == norm_ws(warta["title"]),
            "date_gold": g["published_at"],
            "date_warta": warta["published_at"].isoformat()
            if isinstance(warta["published_at"], datetime)
            else warta["published_at"],
            "date_ok": same_instant(warta["published_at"], g["published_at"]),
            "authors_gold": g["authors"],
            "authors_warta": warta["authors"],
            "authors_ok": None
            if not g["authors"]
            else sorted(map(norm_ws, g["authors"])) == sorted(map(norm_ws, warta["authors"])),
            "warta_head": warta["body"][:300],
            "mojibake": bool(MOJIBAKE.search((warta["title"] or "") + warta["body"][:2000])),
        }
        results.append(row)
        if page["source"] == "scrapinghub":
            sh_metric["warta"].add(warta["body"], gold)
            sh_metric["trafilatura"].add(traf_body, gold)

    n = len(results)
    print(
        f"corpus {directory}: {n} pages, {len({r['site'] for r in results})} sites, "
        f"{len({r['language'] for r in results})} languages\n"
    )
    print("mean body F1 (lower-cased word 4-gram shingles, mean of page F1)")
    print(f"  {'':<26}{'pages':>6} {'warta':>7} {'trafilatura':>12}")

    def line(label: str, rows: list[dict]) -> None:
        print(
            f"  {label:<26}{len(rows):>6} {mean(r['warta_f1'] for r in rows):>7.3f} "
            f"{mean(r['traf_f1'] for r in rows):>12.3f}"
        )

    line("all", results)
    for key in ("source", "language"):
        groups = defaultdict(list)
        for r in results:
            groups[r[key]].append(r)
        for value, rows in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            line(f"{key} {value}", rows)

    if sh_metric["warta"].counts:
        print("\narticle-extraction-benchmark metric, scrapinghub pages (README: trafilatura 0.958 on 181)")
        for name, metric in sh_metric.items():
            print("  " + metric.line(name))

    print("\nwarta metadata, where the gold has it")
    for key, label in (
        ("title_ok", "title exact (whitespace-normalised)"),
        ("date_ok", "published_at same instant"),
        ("authors_ok", "authors same set"),
    ):
        judged = [r[key] for r in results if r[key] is not None]
        print(f"  {label:<38} {sum(judged):>4}/{len(judged):<4} {sum(judged) / max(1, len(judged)):.3f}")

    errors = [r for r in results if r["warta_error"]]
    crashes = [r for r in errors if r["warta_error"].startswith("CRASH")]
    print(f"\nwarta: not-an-article on {len(errors) - len(crashes)} pages, crashed on {len(crashes)}")
    lost = [r for r in results if r["warta_f1"] < 0.5 and r["traf_f1"] >= 0.8]
    print(f"pages with warta F1 < 0.5 while trafilatura F1 >= 0.8: {len(lost)}")
    print(
        f"pages with warta F1 >= 0.9: {sum(r['warta_f1'] >= 0.9 for r in results)}, "
        f"trafilatura: {sum(r['traf_f1'] >= 0.9 for r in results)}"
    )
    print(
        f"time per page: warta {mean(r['warta_s'] for r in results) * 1000:.1f} ms "
        f"(median {statistics.median(r['warta_s'] for r in results) * 1000:.1f}), trafilatura "
        f"{mean(r['traf_s'] for r in results) * 1000:.1f} ms "
        f"(median {statistics.median(r['traf_s'] for r in results) * 1000:.1f})"
    )

    print(f"warta text decoded wrongly (mojibake in title or body) on {sum(r['mojibake'] for r in results)} pages")

    by_page = {p["id"]: p for p in pages}
    print(f"\n{args.worst} worst pages for warta (ties: trafilatura's best first); body = where warta's body came from")
    print(f"  {'id':<42} {'site':<20} {'lang':<4} {'warta F1 (P/R)':<17} {'traf':>4}  {'words gold/warta':<16} body")
    for r in sorted(results, key=lambda r: (r["warta_f1"], -r["traf_f1"], r["id"]))[: args.worst]:
        page = by_page[r["id"]]
        note = body_source(page["text"], page["url"]) + (" MOJIBAKE" if r["mojibake"] else "")
        r["body_source"] = note
        print(
            f"  {r['id']:<42} {(r['site'] or '')[:20]:<20} {r['language']:<4} "
            f"{r['warta_f1']:.2f} ({r['warta_p']:.2f}/{r['warta_r']:.2f}) {r['traf_f1']:>5.2f}  "
            f"{str(r['gold_words']) + '/' + str(r['warta_words']):<16} {note}"
        )
        print(f"      {'warta: ' + (r['warta_head'][:110].replace(chr(10), ' | ') or '(empty)')}")

    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        print(f"\nper-page results: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
