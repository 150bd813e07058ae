"""Check corpus.ScrapinghubMetric against scrapinghub/article-extraction-benchmark's own figures.

1. Scores every prediction file the benchmark ships (output/*.json) against its ground truth with
   our re-implementation and prints them next to the F1 / precision / recall / accuracy rows of
   its README: equal to the third decimal means the metric is the same.
2. Runs the installed trafilatura on the benchmark's 181 pages the way the benchmark's
   extractors/run_trafilatura.py calls it (extract(html, include_comments=False), no URL) and
   scores it, next to the README's trafilatura row (measured there with an older version).

Everything is read from the git mirror in memory (nothing is written). The benchmark's full set
includes two Indonesian pages that the corpus leaves out; they are only scored here, to compare
with the published all-pages figures, and the 179-page figure is printed too.

Usage: python benchmarks/realpages/verify_metric.py [--git DIR] [--no-run]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import ScrapinghubMetric
from page_language import looks_indonesian
from source_repos import SOURCES, Git


def readme_rows(readme: str) -> dict[str, tuple[float, ...]]:
    """name -> (F1, precision, recall, accuracy) from the README's result tables; a name in
    several tables keeps its first (newest) row."""
    rows: dict[str, tuple[float, ...]] = {}
    for line in readme.split("Results of the latest evaluation::", 1)[1].splitlines():
        numbers = re.findall(r"(\d\.\d{3}) ± \d\.\d{3}", line)
        if len(numbers) == 4:
            rows.setdefault(line.split()[0], tuple(float(x) for x in numbers))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--git", type=Path, default=SOURCES["scrapinghub"]["git_dir"])
    parser.add_argument("--no-run", action="store_true", help="skip running trafilatura")
    args = parser.parse_args()
    git = Git(args.git, SOURCES["scrapinghub"]["commit"])
    truth = json.loads(git.show("ground-truth.json"))
    published = readme_rows(git.show("README.rst").decode())

    print(f"{'output file':<22} {'ours: F1   P     R     acc':<28} README: F1   P     R     acc   same")
    same = total = 0
    for path in git.ls("output"):
        name = Path(path).stem
        try:
            data = json.loads(git.show(path))
        except RuntimeError:  # the snapshot leaves out files of 4 MiB and more
            print(f"{name:<22} (not in the mirror)")
            continue
        pred = data["output"] if set(data) == {"version", "output"} else data
        metric = ScrapinghubMetric()
        for key in truth:
            metric.add((pred.get(key) or {}).get("articleBody"), truth[key].get("articleBody"))
        s = metric.scores()
        ours = tuple(round(s[k], 3) for k in ("f1", "precision", "recall", "accuracy"))
        ref = published.get(name)
        match = ref is not None and all(abs(a - b) < 0.0015 for a, b in zip(ours, ref))
        if ref is not None:
            total += 1
            same += match
        print(
            f"{name:<22} {'  '.join(f'{x:.3f}' for x in ours):<28} "
            f"{'  '.join(f'{x:.3f}' for x in ref) if ref else '(not in README)':<30} {'yes' if match else ''}"
        )
    print(f"{same}/{total} shipped outputs reproduce the README's figures")

    if args.no_run:
        return 0
    import trafilatura

    everything, kept = ScrapinghubMetric(), ScrapinghubMetric()
    started = time.perf_counter()
    for key in sorted(truth):
        html = gzip.decompress(git.show(f"html/{key}.html.gz")).decode("utf8")
        got = trafilatura.extract(html, include_comments=False)
        gold = truth[key].get("articleBody")
        everything.add(got, gold)
        if not looks_indonesian(truth[key].get("url") or "", html, gold or ""):
            kept.add(got, gold)
    seconds = time.perf_counter() - started
    print(
        f"\ntrafilatura {trafilatura.__version__} run as the benchmark runs it "
        f"({seconds / len(truth) * 1000:.0f} ms/page):"
    )
    print(everything.line("  all 181 pages"))
    print(kept.line("  corpus's 179 pages"))
    if "trafilatura" in published:
        f1, p, r, acc = published["trafilatura"]
        print(f"  README (trafilatura, its version): F1 {f1:.3f}  P {p:.3f}  R {r:.3f}  accuracy {acc:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
