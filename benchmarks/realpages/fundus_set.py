"""The Fundus part of the corpus: flairNLP/fundus's parser test pages, their gold (one entry per
parser version) and each page's language from the publishers' declared languages."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from datetime import datetime

from page_language import detect_language, html_lang, looks_indonesian
from source_repos import Git, registered_domain

FUNDUS_DATA = "tests/resources/parser/test_data"

# Language of a Fundus page when the publisher's declared languages, <html lang> and the text
# detector (`page_language.detect_language`) do not settle it; checked by reading the page.
# Keyed by page id.
LANGUAGE_OVERRIDES = {
    "fundus-gl-Sermitsiaq_2025_04_16": "da",  # group default "kl"; <html lang=da-DK>, Danish text
}
# Fundus group defaults that are not the ISO 639-1 code of the language they mean.
GROUP_LANGUAGE_FIX = {"tw": "zh"}


def iso_datetime(raw: str | None) -> str | None:
    """Fundus's str(datetime) as ISO 8601; None when it carries no UTC offset (a local time of
    unknown zone, often a bare date at 00:00, cannot be compared as an instant)."""
    if not raw:
        return None
    value = datetime.fromisoformat(raw)
    return value.isoformat() if value.tzinfo is not None else None


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
