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

Output (default: $WARTA_REALPAGES, else /work/realpages):
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
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

MIRRORS = Path("/work/.mirror")

SOURCES = {
    "fundus": {
        "repo": "flairNLP/fundus",
        "git_dir": MIRRORS / "flairNLP+fundus" / "repo",
        # pinned: the newest commit of the snapshot fetched on 2026-08 (committer date 2026-08-05)
        "commit": "18da6e53592f99cf0ac5770dc63d6ba99ba63ae8",
        "license": "MIT",
    },
    "scrapinghub": {
        "repo": "scrapinghub/article-extraction-benchmark",
        "git_dir": MIRRORS / "scrapinghub+article-extraction-benchmark" / "repo",
        "commit": "4a3bc979f76c0df73cb95fe272e2fc1b96f9f010",
        "license": "MIT",
    },
}

FUNDUS_DATA = "tests/resources/parser/test_data"

# Language of a Fundus page when the publisher's declared languages, <html lang> and the text
# detector below do not settle it; checked by reading the page. Keyed by page id.
LANGUAGE_OVERRIDES = {
    "fundus-gl-Sermitsiaq_2025_04_16": "da",  # group default "kl"; <html lang=da-DK>, Danish text
}
# Fundus group defaults that are not the ISO 639-1 code of the language they mean.
GROUP_LANGUAGE_FIX = {"tw": "zh"}


# ---------------------------------------------------------------------------------------------
# git access


class Git:
    def __init__(self, git_dir: Path, commit: str):
        self.git_dir, self.commit = Path(git_dir), commit
        if not self.git_dir.exists():
            raise SystemExit(f"missing mirror {self.git_dir}: fetch the repository first (see README.md)")
        self._run("cat-file", "-e", f"{commit}^{{commit}}")

    def _run(self, *args: str) -> bytes:
        done = subprocess.run(["git", "--git-dir", str(self.git_dir), *args], capture_output=True, check=False)
        if done.returncode:
            raise RuntimeError(f"git {' '.join(args)}: {done.stderr.decode(errors='replace').strip()}")
        return done.stdout

    def ls(self, path: str) -> list[str]:
        out = self._run("ls-tree", "-r", "--name-only", self.commit, "--", path)
        return sorted(out.decode().splitlines())

    def show(self, path: str) -> bytes:
        return self._run("cat-file", "blob", f"{self.commit}:{path}")


# ---------------------------------------------------------------------------------------------
# small helpers

_EXTRACT = None


def registered_domain(url: str) -> str:
    global _EXTRACT
    if _EXTRACT is None:
        import tldextract

        _EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)  # bundled list, offline
    parts = _EXTRACT(url)
    return parts.top_domain_under_public_suffix or parts.domain


def html_lang(html: str) -> str | None:
    """Primary subtag of <html lang=...> (or xml:lang), lower-case; nb/nn count as 'no'."""
    m = re.search(r"<html\b[^>]*?\b(?:xml:)?lang\s*=\s*[\"']?([A-Za-z]{2,3})", html[:20000], re.IGNORECASE)
    if not m:
        return None
    code = m.group(1).lower()
    return {"nb": "no", "nn": "no"}.get(code, code)


def iso_datetime(raw: str | None) -> str | None:
    """Fundus's str(datetime) as ISO 8601; None when it carries no UTC offset (a local time of
    unknown zone, often a bare date at 00:00, cannot be compared as an instant)."""
    if not raw:
        return None
    value = datetime.fromisoformat(raw)
    return value.isoformat() if value.tzinfo is not None else None


def body_paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text or "") if p.strip()]


# ---------------------------------------------------------------------------------------------
# language detection (a check on metadata, and the only source for scrapinghub pages)

STOPWORDS = {
    "en": "the of and to in a is that for it on was with as by at from be this are have has not but he his they",
    "de": "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch es an werden aus er hat dass sie nach wird bei",
    "fr": "le la les de des et en un une du est que qui dans pour pas sur au ne se ce il par plus avec sont",
    "es": "el la de que y en los del se las por un para con no una su al es lo como más pero sus le ha",
    "it": "il di che la e è per un in del non una sono della le con si da al gli dei nel anche alla",
    "pt": "de que o a do da em e um para é com não uma os no se na por mais as dos como mas ao ele das",
    "nl": "de het een van en in is dat op te zijn niet met voor aan er die ook om als bij maar",
    "da": "og i at det er en til af på den med for som de ikke har et var fra men vi jeg kan efter hvad nu mig",
    "no": "og i er det på som en til av for med at har ikke de et om var fra men jeg seg kan etter hva nå meg",
    "sv": "och i att det som en på är av för med till den har inte de om ett var jag men från också",
    "pl": "i w nie na się z że do to jest o jak a po ale dla przez od są tak już",
    "cs": "a se na je v že to s z do jako o ale by pro od které jsou tak už jsem byl",
    "tr": "ve bir bu da de için ile olarak daha çok gibi en ne kadar olan sonra ancak ise değil her",
    "lt": "ir kad į su yra o bet jis iš tai kaip buvo ne dėl per apie jau taip",
    "is": "og að í á er sem til það um við með af en ekki var fyrir hann hún þau",
    "sw": "na ya wa kwa za katika ni la kuwa hiyo huo cha yake kama lakini pia wakati hii",
    "id": "yang dan di dengan untuk dari ini itu tidak dalam akan pada juga ke karena bisa ada saat oleh sudah telah",
    "ms": "yang dan di dengan untuk dari ini itu tidak dalam akan pada juga ke kerana boleh ada ialah oleh sudah telah",
    "vi": "của và là các có được trong cho những với không người này một đã",
}
STOPWORDS = {lang: frozenset(words.split()) for lang, words in STOPWORDS.items()}

_SCRIPTS = (  # (first, last code point, label)
    (0x3040, 0x30FF, "kana"),
    (0x4E00, 0x9FFF, "han"),
    (0xAC00, 0xD7AF, "hangul"),
    (0x0400, 0x04FF, "cyrillic"),
    (0x0590, 0x05FF, "hebrew"),
    (0x0600, 0x06FF, "arabic"),
    (0x0900, 0x097F, "devanagari"),
    (0x0E00, 0x0E7F, "thai"),
    (0x0370, 0x03FF, "greek"),
)


def detect_language(text: str) -> tuple[str | None, float]:
    """(language, confidence in 0..1) from the script, then from function-word shares."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return None, 0.0
    scripts = Counter()
    for c in letters:
        cp = ord(c)
        for lo, hi, label in _SCRIPTS:
            if lo <= cp <= hi:
                scripts[label] += 1
                break
        else:
            scripts["latin" if cp < 0x250 or 0x1E00 <= cp <= 0x1EFF else "other"] += 1
    script, count = scripts.most_common(1)[0]
    share = count / len(letters)
    if scripts["hangul"] > 0.2 * len(letters):
        return "ko", share
    if scripts["kana"] > 0.05 * len(letters):
        return "ja", share
    if script == "han":
        return "zh", share
    if script == "cyrillic":
        uk = sum(text.count(c) for c in "іїєґІЇЄҐ")
        ru = sum(text.count(c) for c in "ыэъёЫЭЪЁ")
        return ("uk" if uk > ru else "ru"), share
    single = {"hebrew": "he", "arabic": "ar", "devanagari": "hi", "thai": "th", "greek": "el"}
    if script in single:
        return single[script], share
    tokens = re.findall(r"\w+", text.lower())
    if not tokens:
        return None, 0.0
    scores = {lang: sum(t in words for t in tokens) / len(tokens) for lang, words in STOPWORDS.items()}
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    (best, top), (_, second) = ranked[0], ranked[1]
    if best in ("id", "ms"):  # the two share nearly all function words: decide on the markers
        marks_id = sum(t in {"karena", "bisa", "saat", "setelah", "kata", "tersebut", "para"} for t in tokens)
        marks_ms = sum(t in {"kerana", "boleh", "ialah", "iaitu", "selepas", "semasa", "bagi"} for t in tokens)
        best = "ms" if marks_ms > marks_id else "id"
        second = max(v for k, v in scores.items() if k not in ("id", "ms"))
    confidence = 0.0 if top == 0 else min(1.0, (top - second) / top) * min(1.0, top / 0.15)
    return best, round(confidence, 3)


def looks_indonesian(url: str, html: str, text: str) -> str | None:
    """Why a page counts as Indonesian, or None."""
    host = re.sub(r"^\w+://", "", url or "").split("/")[0].split(":")[0].lower()
    if host.endswith(".id"):
        return f"domain {host}"
    if html_lang(html) == "id":
        return "<html lang=id>"
    lang, confidence = detect_language(text)
    if lang == "id":
        return f"text detected as Indonesian ({confidence})"
    return None


# ---------------------------------------------------------------------------------------------
# Fundus


def _version_key(name: str) -> tuple[int, ...]:
    """V1 < V1_1 < V1_2 < V2 < V2_1 < V3: the order of Fundus parser versions, oldest first."""
    return tuple(int(part) for part in name[1:].split("_"))


def fundus_body(body: dict) -> list[str]:
    """Fundus's ArticleBody as paragraphs in reading order: the summary (lead / standfirst) first,
    as Fundus itself counts it as part of the body (its plaintext starts with it), then each
    section's headline lines (sub-headings, each its own paragraph) and its paragraphs."""
    out = [p for p in body.get("summary") or []]
    for section in body.get("sections") or []:
        out += list(section.get("headline") or [])
        out += list(section.get("paragraphs") or [])
    return [p.strip() for p in out if p and p.strip()]


def fundus_publisher_languages(git: Git) -> tuple[dict[str, str], dict[tuple[str, str], set[str]]]:
    """Group default languages, and per (group, publisher) the languages its sources declare
    (a source without `languages=` has the group's default). Read from the publisher modules'
    syntax tree (not executed)."""
    import ast

    defaults: dict[str, str] = {}
    publishers: dict[tuple[str, str], set[str]] = {}
    for path in git.ls("src/fundus/publishers"):
        m = re.fullmatch(r"src/fundus/publishers/(\w+)/__init__\.py", path)
        if not m:
            continue
        group = m.group(1)
        tree = ast.parse(git.show(path).decode())
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            default = None
            for stmt in cls.body:
                if (
                    isinstance(stmt, ast.Assign)
                    and isinstance(stmt.value, ast.Constant)
                    and any(getattr(t, "id", None) == "default_language" for t in stmt.targets)
                ):
                    default = GROUP_LANGUAGE_FIX.get(stmt.value.value, stmt.value.value)
            if default is None:
                continue
            defaults[group] = default
            for stmt in cls.body:
                if not (
                    isinstance(stmt, ast.Assign)
                    and isinstance(stmt.value, ast.Call)
                    and getattr(stmt.value.func, "id", None) == "Publisher"
                ):
                    continue
                langs: set[str] = set()
                sources = next((k.value for k in stmt.value.keywords if k.arg == "sources"), None)
                for src in getattr(sources, "elts", []):
                    declared = next((k.value for k in getattr(src, "keywords", []) if k.arg == "languages"), None)
                    if isinstance(declared, ast.Set):
                        langs |= {e.value for e in declared.elts if isinstance(e, ast.Constant)}
                    else:
                        langs.add(default)
                for target in stmt.targets:
                    publishers[(group, target.id)] = langs or {default}
    return defaults, publishers


def fundus_pages(git: Git, info: dict, log) -> list[tuple[dict, bytes]]:
    group_lang, publisher_langs = fundus_publisher_languages(git)
    files = git.ls(FUNDUS_DATA)
    by_publisher: dict[tuple[str, str], list[str]] = {}
    for path in files:
        m = re.fullmatch(rf"{FUNDUS_DATA}/(\w+)/([A-Za-z0-9]+)_(\d{{4}}_\d\d_\d\d)\.html\.gz", path)
        if m:
            by_publisher.setdefault((m.group(1), m.group(2)), []).append(path)
    metas: dict[str, dict] = {}
    out = []
    for (country, publisher), paths in sorted(by_publisher.items()):
        if country == "id":
            log(f"skip fundus {country}/{publisher}: Indonesian group ({len(paths)} page(s))")
            continue
        if country not in metas:
            metas[country] = json.loads(git.show(f"{FUNDUS_DATA}/{country}/meta.info"))
        gold_all = json.loads(git.show(f"{FUNDUS_DATA}/{country}/{publisher}.json"))
        pages = sorted(paths, key=lambda p: metas[country][p.rsplit("/", 1)[1]]["crawl_date"])
        versions = sorted(gold_all, key=_version_key)
        if len(pages) != len(versions):
            log(f"skip fundus {country}/{publisher}: {len(pages)} pages for {len(versions)} gold versions")
            continue
        # Fundus's test maps each page to the parser version valid at its crawl date; versions are
        # valid in turn, so the i-th oldest page belongs to the i-th oldest version.
        for path, version in zip(pages, versions):
            name = path.rsplit("/", 1)[1]
            meta = metas[country][name]
            raw = git.show(path)
            html = gzip.decompress(raw).decode("utf-8", errors="replace")
            gold = gold_all[version]
            body = fundus_body(gold.get("body") or {})
            page_id = f"fundus-{country}-{name[: -len('.html.gz')]}"
            why = looks_indonesian(meta["url"], html, "\n".join(body))
            if why:
                log(f"skip {page_id}: Indonesian ({why})")
                continue
            detected, confidence = detect_language("\n".join(body))
            declared = html_lang(html)
            default = group_lang.get(country)
            candidates = publisher_langs.get((country, publisher), {default})
            if page_id in LANGUAGE_OVERRIDES:
                language = LANGUAGE_OVERRIDES[page_id]
            elif len(candidates) == 1 and not (detected == declared and confidence >= 0.5):
                language = next(iter(candidates))  # unless page and text both say otherwise
            elif detected and detected in candidates | {declared}:
                language = detected
            elif declared in candidates:
                language = declared
            elif detected and confidence >= 0.5:
                language = detected
            else:
                language = declared or default
            if detected and detected != language and confidence >= 0.3:
                log(
                    f"note {page_id}: language {language} (html {declared}, publisher {sorted(candidates)}), "
                    f"text looks {detected} ({confidence})"
                )
            authors = gold.get("authors")
            record = {
                "id": page_id,
                "source": "fundus",
                "repo": info["repo"],
                "path": path,
                "commit": info["commit"],
                "license": info["license"],
                "crawl_date": datetime.fromisoformat(meta["crawl_date"]).isoformat(),
                "url": meta["url"],
                "site": registered_domain(meta["url"]),
                "language": language,
                "publisher": publisher,
                "gold_path": f"{FUNDUS_DATA}/{country}/{publisher}.json#{version}",
                "sha256": hashlib.sha256(gzip.decompress(raw)).hexdigest(),
                "gold": {
                    "title": (gold.get("title") or "").strip() or None,
                    "authors": list(authors) if authors is not None else None,
                    "published_at": iso_datetime(gold.get("publishing_date")),
                    "published_raw": gold.get("publishing_date"),
                    "body": body,
                },
            }
            out.append((record, raw))
    return out


# ---------------------------------------------------------------------------------------------
# scrapinghub article-extraction-benchmark


def scrapinghub_pages(git: Git, info: dict, log) -> list[tuple[dict, bytes]]:
    truth = json.loads(git.show("ground-truth.json"))
    out = []
    for key in sorted(truth):
        item = truth[key]
        path = f"html/{key}.html.gz"
        raw = git.show(path)
        html = gzip.decompress(raw).decode("utf-8", errors="replace")
        url = item.get("url") or ""
        text = item.get("articleBody") or ""
        page_id = f"sh-{key[:16]}"
        why = looks_indonesian(url, html, text)
        if why:
            log(f"skip {page_id} {url}: Indonesian ({why})")
            continue
        detected, confidence = detect_language(text)
        declared = html_lang(html)
        trust_text = detected and (confidence >= 0.3 or declared is None or detected == declared)
        language = detected if trust_text else declared
        if declared and language != declared:
            log(f"note {page_id}: language {language} from the text ({confidence}), <html lang={declared}>")
        out.append(
            (
                {
                    "id": page_id,
                    "source": "scrapinghub",
                    "repo": info["repo"],
                    "path": path,
                    "commit": info["commit"],
                    "license": info["license"],
                    "crawl_date": None,  # not given per page (the set was fetched in 2019)
                    "url": url,
                    "site": registered_domain(url) if url else None,
                    "language": language,
                    "publisher": None,
                    "gold_path": f"ground-truth.json#{key}",
                    "sha256": hashlib.sha256(gzip.decompress(raw)).hexdigest(),
                    "gold": {
                        "title": None,
                        "authors": None,
                        "published_at": None,
                        "published_raw": None,
                        "body": body_paragraphs(text),
                    },
                },
                raw,
            )
        )
    return out


# ---------------------------------------------------------------------------------------------


def default_out() -> Path:
    return Path(os.environ.get("WARTA_REALPAGES") or "/work/realpages")


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
