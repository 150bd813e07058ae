"""warta's parser next to trafilatura.extract on the real-page corpus, in one run.

For every page: `parse_page(html, url, site_for_url(url))` (a NotAnArticle is an empty
body) and `trafilatura.extract(html, url=url)` (its defaults), both on the page as text,
alternating page by page so that both see the same machine. Prints:
- mean body F1 (see realpages/corpus.body_prf) overall, per source, per language, and the
  sites where warta is lowest (compact);
- the article-extraction-benchmark metric on the scrapinghub pages, beside trafilatura's;
- warta's title / published_at / authors exact rates where the gold has them, overall, per
  language, and the sites that miss;
- the pages where warta's F1 < 0.5 while trafilatura's >= 0.8;
- the path each body came from, time per page for both and the ratio.
Skips with one line when the corpus is absent (WARTA_REALPAGES, ../shared/realpages).

`--pin FILE` writes the floors that tests/test_realpages.py holds the parser to: per page, a
body F1 floor a little below today's F1, and which of title / published_at / authors are
exact today (only page ids and numbers: no page content leaves the corpus).

Usage: python benchmarks/bench_realpages.py [--limit N] [--json OUT] [--sites N] [--pin FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.realpages.corpus import (  # noqa: E402
    ScrapinghubMetric,
    body_prf,
    corpus_dir,
    gold_text,
    load_pages,
    same_authors,
    same_instant,
    same_title,
)
from extract.parse import NotAnArticle, parse_page  # noqa: E402
from extract.sites import site_for_url  # noqa: E402


def run_warta(page: dict) -> tuple[dict, float]:
    started = time.perf_counter()
    try:
        result = parse_page(page["text"], page["url"], site_for_url(page["url"]))
        a = result.article
        out = {
            "body": a.body,
            "title": a.title,
            "published_at": a.published_at,
            "authors": a.authors,
            "route": result.route,
            "source": result.sources.get("body", ""),
        }
    except NotAnArticle as exc:
        out = {
            "body": "",
            "title": None,
            "published_at": None,
            "authors": [],
            "route": f"dropped:{exc.reason}",
            "source": "",
        }
    return out, time.perf_counter() - started


def run_trafilatura(page: dict) -> tuple[str, float]:
    import trafilatura

    started = time.perf_counter()
    text = trafilatura.extract(page["text"], url=page["url"]) or ""
    return text, time.perf_counter() - started


def mean(values) -> float:
    values = list(values)
    return statistics.fmean(values) if values else float("nan")


def rate(rows: list[dict], key: str) -> str:
    judged = [r[key] for r in rows if r[key] is not None]
    return f"{sum(judged):>3}/{len(judged):<3} {sum(judged) / len(judged):.3f}" if judged else "   -       "


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=0, help="first N pages only")
    parser.add_argument("--json", type=Path, help="write every page's figures here")
    parser.add_argument("--sites", type=int, default=15, help="how many of the lowest sites to list")
    parser.add_argument("--pin", type=Path, help="write the test floors (tests/realpages_floors.json) here")
    args = parser.parse_args()
    directory = corpus_dir()
    if directory is None:
        print("bench_realpages: no real-page corpus (WARTA_REALPAGES, ../shared/realpages): skipped")
        return 0
    pages = load_pages(directory)[: args.limit or None]
    run_warta(pages[0]), run_trafilatura(pages[0])  # imports and lazy tables outside the timings

    rows, sh = [], {"warta": ScrapinghubMetric(), "trafilatura": ScrapinghubMetric()}
    for page in pages:
        warta, warta_s = run_warta(page)
        traf, traf_s = run_trafilatura(page)
        gold = gold_text(page)
        w, t = body_prf(warta["body"], gold), body_prf(traf, gold)
        g = page["gold"]
        rows.append(
            {
                "id": page["id"],
                "source": page["source"],
                "language": page["language"],
                "site": page["site"],
                "f1": w.f1,
                "precision": w.precision,
                "recall": w.recall,
                "traf_f1": t.f1,
                "warta_s": warta_s,
                "traf_s": traf_s,
                "route": warta["route"],
                "body_source": warta["source"],
                "title_ok": same_title(warta["title"], g["title"]),
                "title": warta["title"],
                "gold_title": g["title"],
                "date_ok": same_instant(warta["published_at"], g["published_at"]),
                "published_at": warta["published_at"].isoformat() if warta["published_at"] else None,
                "gold_published_at": g["published_at"],
                "authors_ok": same_authors(warta["authors"], g["authors"]),
            }
        )
        if page["source"] == "scrapinghub":
            sh["warta"].add(warta["body"], gold)
            sh["trafilatura"].add(traf, gold)

    print(
        f"corpus {directory}: {len(rows)} pages, {len({r['site'] for r in rows})} sites, "
        f"{len({r['language'] for r in rows})} languages\n"
    )
    print("mean body F1 (lower-cased word 4-gram shingles)")
    print(f"  {'':<24}{'pages':>6} {'warta':>7} {'trafilatura':>12} {'warta P/R':>12}")

    def line(label: str, group: list[dict]) -> None:
        print(
            f"  {label:<24}{len(group):>6} {mean(r['f1'] for r in group):>7.3f} {mean(r['traf_f1'] for r in group):>12.3f}"
            f"   {mean(r['precision'] for r in group):.3f}/{mean(r['recall'] for r in group):.3f}"
        )

    line("all", rows)
    for key in ("source", "language"):
        groups = defaultdict(list)
        for r in rows:
            groups[r[key]].append(r)
        for value, group in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            line(f"{key} {value}", group)
    by_site = defaultdict(list)
    for r in rows:
        by_site[r["site"]].append(r)
    print(f"  the {args.sites} sites where warta is lowest:")
    for site, group in sorted(by_site.items(), key=lambda kv: (mean(r["f1"] for r in kv[1]), kv[0]))[: args.sites]:
        line(f"  {site[:22]}", group)

    if sh["warta"].counts:
        print(f"\narticle-extraction-benchmark metric, {len(sh['warta'].counts)} scrapinghub pages")
        for name, metric in sh.items():
            s = metric.scores()
            print(f"  {name:<12} F1 {s['f1']:.3f}  P {s['precision']:.3f}  R {s['recall']:.3f}")

    print("\nwarta's metadata, exact where the gold has it (title / published_at to the second / authors)")
    print(
        f"  {'all':<24} title {rate(rows, 'title_ok')}  date {rate(rows, 'date_ok')}  authors {rate(rows, 'authors_ok')}"
    )
    languages = defaultdict(list)
    for r in rows:
        if r["title_ok"] is not None or r["date_ok"] is not None:
            languages[r["language"]].append(r)
    for language, group in sorted(languages.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        print(
            f"  {'language ' + language:<24} title {rate(group, 'title_ok')}  date {rate(group, 'date_ok')}  "
            f"authors {rate(group, 'authors_ok')}"
        )
    missed = sorted({r["site"] for r in rows if r["title_ok"] is False or r["date_ok"] is False})
    print(f"  sites with a title or date miss ({len(missed)}): {', '.join(missed)}")

    lost = [r for r in rows if r["f1"] < 0.5 and r["traf_f1"] >= 0.8]
    print(f"\npages where warta F1 < 0.5 while trafilatura F1 >= 0.8: {len(lost)}")
    for r in lost:
        print(f"  {r['id']:<44} warta {r['f1']:.2f} trafilatura {r['traf_f1']:.2f}  {r['path']} {r['body_source']}")
    paths = defaultdict(int)
    for r in rows:
        paths[r["route"]] += 1
    print("body routes: " + ", ".join(f"{p} {n}" for p, n in sorted(paths.items())))

    warta_ms, traf_ms = mean(r["warta_s"] for r in rows) * 1000, mean(r["traf_s"] for r in rows) * 1000
    print(
        f"time per page: warta {warta_ms:.1f} ms (median {statistics.median(r['warta_s'] for r in rows) * 1000:.1f}), "
        f"trafilatura.extract {traf_ms:.1f} ms (median {statistics.median(r['traf_s'] for r in rows) * 1000:.1f}): "
        f"warta is {traf_ms / warta_ms:.1f}x faster (target >= 2x)"
    )
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"per-page figures: {args.json}")
    if args.pin:
        pinned = floors(rows)  # one page a line: a re-pin reads as a diff of the pages that moved
        lines = [f"  {json.dumps(page_id)}: {json.dumps(pinned[page_id])}" for page_id in sorted(pinned)]
        args.pin.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
        print(f"test floors: {args.pin}")
    return 0


FLOOR_MARGIN = 0.02  # a page's floor sits this far below its F1 today: room for harmless drift


def floors(rows: list[dict]) -> dict:
    """Per page: the body F1 floor, and the metadata fields that are exact today."""
    pinned = {}
    for r in rows:
        entry = {"body": max(0.0, int(r["f1"] * 100) / 100 - FLOOR_MARGIN)}
        entry["body"] = round(entry["body"], 2)
        entry["exact"] = [
            name
            for name, key in (("title", "title_ok"), ("published_at", "date_ok"), ("authors", "authors_ok"))
            if r[key]
        ]
        pinned[r["id"]] = entry
    return pinned


if __name__ == "__main__":
    sys.exit(main())
