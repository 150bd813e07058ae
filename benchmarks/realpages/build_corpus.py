"""Build the real-page corpus (issue 14) from git mirrors of public test sets.

The corpus is NOT committed (licences and the workplace rule: nothing from a fetched
repository goes into git); this script, which is ours, rebuilds it byte for byte from
fixed commits of:

- flairNLP/fundus (MIT): tests/resources/parser/test_data/<country>/<Publisher>_<date>.html.gz,
  gold in <Publisher>.json (one entry per parser version), url and crawl date in meta.info.
- scrapinghub/article-extraction-benchmark (MIT): html/<id>.html.gz, gold in ground-truth.json
  (article body and url only).

trafilatura's own test pages are not used: their gold is a handful of "must contain" /
"must not contain" snippets per page, not a full body, so a body F1 cannot be computed on them.

Output (default: $WARTA_REALPAGES, else shared/realpages beside the repository):
  pages/<id>.html.gz   the page exactly as the source stores it (gzip of the original bytes)
  manifest.jsonl       one JSON object per page, sorted by id (see README.md for the fields)

Indonesian pages are left out on purpose (an independent Indonesian set is kept elsewhere and
must never be tuned on): Fundus's `id` group, every `.id` domain, every page whose <html lang>
or text says Indonesian. Each exclusion is printed.

Usage: python benchmarks/realpages/build_corpus.py [--out DIR] [--fundus GIT_DIR] [--scrapinghub GIT_DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import sys
from collections import Counter
from pathlib import Path

from fundus_set import fundus_pages
from scrapinghub_set import scrapinghub_pages
from source_repos import SOURCES, Git


def default_out() -> Path:
    return Path(os.environ.get("WARTA_REALPAGES") or Path(__file__).resolve().parents[3] / "shared" / "realpages")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=default_out())
    parser.add_argument("--fundus", type=Path, default=SOURCES["fundus"]["git_dir"], help="fundus git dir")
    parser.add_argument(
        "--scrapinghub",
        type=Path,
        default=SOURCES["scrapinghub"]["git_dir"],
        help="article-extraction-benchmark git dir",
    )
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    log = (lambda msg: None) if args.quiet else (lambda msg: print(msg, file=sys.stderr))

    records: list[tuple[dict, bytes]] = []
    for name, git_dir, collect in (
        ("fundus", args.fundus, fundus_pages),
        ("scrapinghub", args.scrapinghub, scrapinghub_pages),
    ):
        info = SOURCES[name]
        records += collect(Git(git_dir, info["commit"]), info, log)
    records.sort(key=lambda r: r[0]["id"])
    ids = [r["id"] for r, _ in records]
    assert len(ids) == len(set(ids)), "duplicate page ids"

    out: Path = args.out
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "pages").mkdir(parents=True)
    with open(tmp / "manifest.jsonl", "w", encoding="utf-8") as manifest:
        for record, raw in records:
            gzip.decompress(raw)  # the stored blob must be a gzip file
            (tmp / "pages" / f"{record['id']}.html.gz").write_bytes(raw)
            manifest.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)

    rows = [r for r, _ in records]
    print(
        f"{len(rows)} pages, {len({r['site'] for r in rows})} sites, "
        f"{len({r['language'] for r in rows})} languages -> {out}"
    )
    for key in ("source", "language"):
        counts = Counter(r[key] for r in rows)
        print(
            f"  by {key}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
