"""Near-duplicate detection at archive scale, and seen-store lookups.

1. N synthetic article bodies (~3 KB, Zipf-distributed vocabulary) with a known set of planted
   re-posts (one sentence rewritten, a word or two changed elsewhere); sketched in 2 worker
   processes with warta's own `pipeline.dedup.neardup` code, then paired by LSH banding. Reports
   recall and precision on the planted pairs, wall time and peak RSS.
   Targets (N = 1,000,000): recall >= 0.99, precision >= 0.99, < 5 minutes, < 2 GiB.
2. `SeenStore.should_fetch` lookups with 1,000,000 stored ids. Target: >= 50,000/s.
Usage: python benchmarks/bench_neardup.py [N_BODIES] [N_SEEN]
"""

from __future__ import annotations

import random
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from multiprocessing import Pool
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.dedup.neardup import DEFAULT_THRESHOLD, K, near_duplicate_pairs, sketch_many  # noqa: E402
from pipeline.dedup.seen import SeenStore  # noqa: E402

VOCAB_SIZE = 30_000
WORDS_PER_BODY = 430  # about 3 KB of text
REPOST_EVERY = 200  # one planted re-post per 200 bodies
CHUNK = 5_000


def _vocab() -> np.ndarray:
    rng = np.random.default_rng(0)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    return np.array(["".join(rng.choice(letters, rng.integers(2, 11))) for _ in range(VOCAB_SIZE)], dtype=object)


def _zipf_cdf() -> np.ndarray:
    p = 1.0 / np.arange(1, VOCAB_SIZE + 1) ** 1.05
    return np.cumsum(p / p.sum())


def original_words(k: int, cdf: np.ndarray) -> np.ndarray:
    return np.minimum(np.searchsorted(cdf, np.random.default_rng(k).random(WORDS_PER_BODY)), VOCAB_SIZE - 1)


def planted_source(k: int) -> int | None:
    """Doc k is a re-post of an earlier original when k % REPOST_EVERY == REPOST_EVERY - 1;
    originals are the other docs (a source is never itself a re-post)."""
    if k % REPOST_EVERY != REPOST_EVERY - 1 or k < REPOST_EVERY:
        return None
    return random.Random(k).randrange(0, k // REPOST_EVERY) * REPOST_EVERY


def planted_pairs(n: int) -> set[tuple[int, int]]:
    """Every pair of the same story: original with each re-post, and re-posts of one original."""
    groups: dict[int, list[int]] = {}
    for k in range(n):
        source = planted_source(k)
        if source is not None:
            groups.setdefault(source, [source]).append(k)
    return {(a, b) for members in groups.values() for i, a in enumerate(members) for b in members[i + 1 :]}


def body(k: int, vocab: np.ndarray, cdf: np.ndarray) -> str:
    source = planted_source(k)
    if source is None:
        words = vocab[original_words(k, cdf)]
        return " ".join(words)
    words = list(vocab[original_words(source, cdf)])
    rng = random.Random(k)
    start = rng.randrange(0, WORDS_PER_BODY - 15)
    words[start : start + 15] = [vocab[rng.randrange(VOCAB_SIZE)] for _ in range(15)]  # a sentence rewritten
    for _ in range(2):
        words[rng.randrange(WORDS_PER_BODY)] = vocab[rng.randrange(VOCAB_SIZE)]  # a word changed
    return " ".join(words)


def sketch_chunk(bounds: tuple[int, int]) -> np.ndarray:
    vocab, cdf = _vocab(), _zipf_cdf()
    return sketch_many([body(k, vocab, cdf) for k in range(*bounds)])


def near_duplicates(n: int) -> None:
    started = time.perf_counter()
    with Pool(2) as pool:
        parts = pool.map(sketch_chunk, [(s, min(n, s + CHUNK)) for s in range(0, n, CHUNK)], chunksize=1)
    sigs = np.concatenate(parts)
    del parts
    sketched = time.perf_counter() - started
    found = near_duplicate_pairs(sigs, DEFAULT_THRESHOLD)
    elapsed = time.perf_counter() - started
    planted = planted_pairs(n)
    tp = len(found & planted)
    peak = (
        max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        / 1024
    )
    print(f"near-duplicates: {n:,} bodies ({WORDS_PER_BODY} words, K={K}), {len(planted):,} planted pairs")
    print(
        f"  recall {tp / max(1, len(planted)):.4f}, precision {tp / max(1, len(found)):.4f} "
        f"({len(found):,} pairs found), threshold {DEFAULT_THRESHOLD}"
    )
    print(
        f"  time {elapsed:.1f}s (sketching {sketched:.1f}s, {n / sketched:,.0f} bodies/s on 2 processes), "
        f"peak RSS {peak:,.0f} MiB (largest process)"
    )


def seen_lookups(n: int, lookups: int = 200_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = SeenStore(Path(tmp) / "seen.sqlite")
        now = datetime(2026, 11, 28, tzinfo=timezone.utc)
        stamp = (now - timedelta(days=3)).isoformat()
        started = time.perf_counter()
        with store.db:
            store.db.execute("BEGIN")
            store.db.executemany(
                "INSERT INTO seen VALUES ('medcom', ?, ?, ?, ?)",
                ((f"{i:08x}", f"h{i}", stamp, stamp) for i in range(n)),
            )
        loaded = time.perf_counter() - started
        rng = random.Random(1)
        keys = [f"{rng.randrange(2 * n):08x}" for _ in range(lookups)]  # half stored, half new
        window, after = timedelta(hours=6), timedelta(minutes=60)
        started = time.perf_counter()
        fetch = sum(store.should_fetch("medcom", k, now, window, after) for k in keys)
        elapsed = time.perf_counter() - started
        store.close()
    print(
        f"seen-store: {n:,} ids loaded in {loaded:.1f}s; {lookups:,} should_fetch lookups in {elapsed:.2f}s "
        f"= {lookups / elapsed:,.0f}/s (target >= 50,000/s); {fetch:,} would be fetched"
    )


def datasketch_peer(n: int = 2000) -> None:
    """The peer: datasketch MinHash (128 permutations) on the same bodies and shingles."""
    try:
        from datasketch import MinHash
    except ImportError:
        print("datasketch peer: not installed (pip install datasketch==2.0.0)")
        return
    vocab, cdf = _vocab(), _zipf_cdf()
    bodies = [body(k, vocab, cdf) for k in range(n)]
    started = time.perf_counter()
    for text in bodies:
        words = text.split()
        m = MinHash(num_perm=128)
        m.update_batch([" ".join(words[i : i + 3]).encode() for i in range(len(words) - 2)])
    theirs = (time.perf_counter() - started) / n
    started = time.perf_counter()
    sketch_many(bodies)
    ours = (time.perf_counter() - started) / n
    print(
        f"sketch cost per body, one process: datasketch MinHash(128) {theirs * 1e6:.0f} us, warta {ours * 1e6:.0f} us "
        f"({theirs / ours:.1f}x); 1,000,000 bodies on 2 processes: datasketch ~{theirs * 5e5:.0f}s, "
        f"warta ~{ours * 5e5:.0f}s"
    )


if __name__ == "__main__":
    datasketch_peer()
    near_duplicates(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
    seen_lookups(int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000)
