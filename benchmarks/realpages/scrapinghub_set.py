"""The scrapinghub part of the corpus: article-extraction-benchmark's pages and their gold (the
article body and URL only); each page's language from the text, else `<html lang>`."""

from __future__ import annotations

import gzip
import hashlib
import json
import re

from page_language import detect_language, html_lang, looks_indonesian
from source_repos import Git, registered_domain


def body_paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text or "") if p.strip()]


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
