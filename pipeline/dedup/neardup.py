"""Near-duplicate detection: one-permutation MinHash sketches with LSH banding.

Chosen by measurement (see benchmarks/bench_neardup.py and the issue note): datasketch's
MinHash costs one hash per shingle per permutation, which takes far more than the 5-minute
budget for 1,000,000 bodies on two cores; SimHash missed edited re-posts at useful
thresholds. One-permutation hashing (Li, Owen & Zhang 2012) with rotation densification
(Shrivastava & Li 2014) hashes each shingle once and still estimates Jaccard similarity,
so whole batches of bodies are sketched with a few numpy operations.

Sketch: word 3-gram shingles of the lower-cased body without punctuation -> K=64 bins -> minimum per bin.
LSH: 16 bands of 4 values; a pair sharing any band is a candidate, confirmed when the
fraction of equal bins (the Jaccard estimate) reaches the threshold.
"""

from __future__ import annotations

import string
import zlib

import numpy as np

K = 64
DEFAULT_THRESHOLD = 0.7
BANDS = 16
ROWS = K // BANDS
# Punctuation to spaces, then split: ten times faster than a \w+ regex on 3 KB bodies.
_PUNCTUATION = str.maketrans({c: " " for c in string.punctuation + "“”‘’«»—–…•·\u00a0"})
_EMPTY = np.uint32(0xFFFFFFFF)
_M1, _M2, _M3 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9)


def _mix(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> np.uint64(31))
    x = x * _M2
    return x ^ (x >> np.uint64(29))


class _WordHashes(dict):
    """Stable 32-bit word hashes, computed once per word of a batch."""

    def __missing__(self, word: str) -> int:
        value = self[word] = zlib.crc32(word.encode("utf-8"))
        return value


def sketch_many(bodies: list[str]) -> np.ndarray:
    """Sketches (n x K, uint32) of many bodies at once; stable across processes and runs."""
    cache = _WordHashes()
    ids: list[int] = []
    ends = []
    for body in bodies:
        ids.extend(map(cache.__getitem__, body.lower().translate(_PUNCTUATION).split()))
        ends.append(len(ids))
    n = len(bodies)
    sig = np.full((n, K), _EMPTY, dtype=np.uint32)
    if ids:
        words = np.asarray(ids, dtype=np.uint64)
        ends_arr = np.asarray(ends)
        doc = np.repeat(np.arange(n), np.diff(np.concatenate(([0], ends_arr))))
        valid = np.arange(len(words) - 2) if len(words) > 2 else np.arange(0)
        valid = valid[doc[valid] == doc[valid + 2]]  # shingles never straddle two bodies
        with np.errstate(over="ignore"):
            h = _mix(words[valid] * _M1 + words[valid + 1] * _M2 + words[valid + 2] * _M3)
        bins = (h >> np.uint64(58)).astype(np.int64)
        values = (h & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        np.minimum.at(sig.reshape(-1), doc[valid] * K + bins, values)
    _densify(sig)
    return sig


def _densify(sig: np.ndarray) -> None:
    """Fill empty bins from the next non-empty bin (circularly), offset by the distance."""
    for row in np.nonzero((sig == _EMPTY).any(axis=1) & (sig != _EMPTY).any(axis=1))[0]:
        values = sig[row]
        filled = np.nonzero(values != _EMPTY)[0]
        for b in np.nonzero(values == _EMPTY)[0]:
            nxt = filled[np.searchsorted(filled, b) % len(filled)]
            distance = (nxt - b) % K
            values[b] = np.uint32((int(values[nxt]) + distance * 0x9E3779B1) & 0xFFFFFFFE)


def sketch(body: str) -> np.ndarray:
    return sketch_many([body])[0]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two sketches."""
    if (a == _EMPTY).all() or (b == _EMPTY).all():
        return 0.0
    return float(np.mean(a == b))


def band_keys(sig: np.ndarray) -> np.ndarray:
    """One signed 64-bit key per band (n x BANDS, or BANDS for one sketch)."""
    s = sig.astype(np.uint64).reshape(*sig.shape[:-1], BANDS, ROWS)
    with np.errstate(over="ignore"):
        key = np.zeros(s.shape[:-1], dtype=np.uint64)
        for r in range(ROWS):
            key = _mix(key * _M1 + s[..., r] + np.uint64(r + 1))
        key = key + np.arange(BANDS, dtype=np.uint64) * _M3  # bands never share keys
    return key.view(np.int64)


MAX_BUCKET = 500  # a band value shared by more bodies than this says nothing about any pair


def candidate_pairs(sigs: np.ndarray) -> set[tuple[int, int]]:
    """Index pairs that share at least one band (batch mode: sort instead of a hash table)."""
    keys = band_keys(sigs)
    pairs: set[tuple[int, int]] = set()
    for band in range(BANDS):
        column = keys[:, band]
        order = np.argsort(column, kind="stable")
        ordered = column[order]
        starts = np.nonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))[0]
        lengths = np.diff(np.concatenate((starts, [len(ordered)])))
        for start, length in zip(
            starts[(lengths > 1) & (lengths <= MAX_BUCKET)], lengths[(lengths > 1) & (lengths <= MAX_BUCKET)]
        ):
            members = sorted(int(i) for i in order[start : start + length])
            pairs.update((a, b) for i, a in enumerate(members) for b in members[i + 1 :])
    return pairs


def near_duplicate_pairs(sigs: np.ndarray, threshold: float) -> set[tuple[int, int]]:
    """Confirmed pairs (estimated Jaccard >= threshold) among many sketches."""
    pairs = candidate_pairs(sigs)
    if not pairs:
        return set()
    arr = np.array(sorted(pairs))
    agree = (sigs[arr[:, 0]] == sigs[arr[:, 1]]).mean(axis=1)
    return {(int(a), int(b)) for (a, b), s in zip(arr, agree) if s >= threshold}


def earliest_original(signature: np.ndarray, published, candidates, threshold: float, exclude: str | None = None):
    """Among `(id, signature, published_at)` candidates, the earliest-published one that is at
    least `threshold` similar and not published after this story (the later one is the copy)."""
    best = None
    for other, other_signature, other_published in candidates:
        if other == exclude or similarity(other_signature, signature) < threshold:
            continue
        if published is not None and other_published is not None and other_published > published:
            continue
        if best is None or (other_published is not None and (best[1] is None or other_published < best[1])):
            best = (other, other_published)
    return best[0] if best else None
