"""`warta parse`: one saved page, a whole WARC file, or an archived article, parsed and printed
as JSON with the Parquet columns' names."""

from __future__ import annotations

import json
import os
import sys
from datetime import date, datetime

from warta.commands.preflight import require_site


def _json_default(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _read_page(path: str, cap: int) -> bytes:
    """A saved page, read as the crawl reads an answer: at most `cap` bytes, a larger or endless
    file (/dev/zero, a pipe that never ends) refused after `cap` + 1; a FIFO without a writer
    reads as empty instead of blocking the open."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        os.set_blocking(fd, True)  # only the open must not wait for a writer
        with open(fd, "rb") as fh:
            html = fh.read(cap + 1)
    except OSError as exc:
        raise SystemExit(f"warta parse: error: cannot read {path}: {exc.strerror}") from None
    return html


def cmd_parse(args) -> int:
    from crawler.pipelines.time_limit import PageTimeout, page_time_limit
    from crawler.settings import DOWNLOAD_MAXSIZE, PARSE_PAGE_TIMEOUT
    from extract.parse import NotAnArticle, parse_page
    from extract.sites import get_site, site_for_url
    from warta.commands.reparse import archived_page, warc_page

    require_site("parse", args.site)
    mirror, url, site, canonical = None, args.url, args.site, args.url
    if args.from_archive:
        html, url, archived_site, mirror = archived_page(args.data_dir, args.from_archive)
        site = site or archived_site
    elif not args.file:
        raise SystemExit("warta parse: error: give a FILE or --from-archive ID")
    elif args.file.endswith((".warc", ".warc.gz")):
        if not args.url:
            return parse_warc_file(args.file, args.site, args.explain)
        html, url, mirror, canonical = warc_page(args.file, args.url)
    else:
        if not url:
            raise SystemExit("warta parse: error: --url is required with an HTML file")
        html = _read_page(args.file, DOWNLOAD_MAXSIZE)
    if len(html) > DOWNLOAD_MAXSIZE:
        what = args.file or f"the archived page of {args.from_archive}"
        raise SystemExit(f"warta parse: error: {what} is over {DOWNLOAD_MAXSIZE // 2**20} MiB (the crawl's cap)")
    profile = get_site(site) if site else site_for_url(canonical or url)
    try:
        with page_time_limit(PARSE_PAGE_TIMEOUT):
            result = parse_page(html, canonical or url, profile, mirror=mirror)
    except NotAnArticle as exc:
        print(f"warta parse: not an article: {exc}", file=sys.stderr)
        return 1
    except PageTimeout:
        raise SystemExit(f"warta parse: error: the parse of {url} took over {PARSE_PAGE_TIMEOUT:g} s") from None
    print(json.dumps(parse_output(result, args.explain), default=_json_default, ensure_ascii=False, indent=2))
    return 0


def parse_output(result, explain: bool) -> dict:
    """What `warta parse` prints of a parsed page: the article's columns, or with `explain` also
    the extraction path, each field's source and what each cleaning rule removed."""
    out = dict(vars(result.article))
    if not explain:
        return out
    return {
        "article": out,
        "route": result.route,
        "sources": result.sources,
        "removed": [{"rule": rule, "text": text} for rule, text in result.removed],
    }


def parse_warc_file(path: str, site: str | None, explain: bool) -> int:
    """Every response record of a WARC file, one JSON line each (JSON Lines): its article, or
    `{"url", "error"}`; then `parsed N of M records` on stderr. Exit 0 when at least one record
    was an article: a crawl's raw archive holds some pages that were not, and that is no failure."""
    from crawler.pipelines.time_limit import PageTimeout, page_time_limit
    from crawler.settings import DOWNLOAD_MAXSIZE, PARSE_PAGE_TIMEOUT
    from extract.parse import NotAnArticle, parse_page
    from extract.sites import get_site, site_for_url
    from warta.commands.reparse import warc_records

    parsed = total = 0
    for raw in warc_records(path):
        total += 1
        url = raw.page.canonical or raw.page.url
        try:
            if len(raw.page.body) > DOWNLOAD_MAXSIZE:
                raise NotAnArticle("too_large", f"over {DOWNLOAD_MAXSIZE // 2**20} MiB (the crawl's cap)")
            profile = get_site(site) if site else site_for_url(url)
            with page_time_limit(PARSE_PAGE_TIMEOUT):
                page = raw.page
                result = parse_page(page.body, url, profile, mirror=raw.mirror, crawled_at=page.fetched_at)
        except NotAnArticle as exc:
            line = {"url": url, "error": f"not an article: {exc}"}
        except PageTimeout:
            line = {"url": url, "error": f"the parse took over {PARSE_PAGE_TIMEOUT:g} s"}
        except Exception as exc:  # noqa: BLE001 (a parser bug costs one record, not the file)
            line = {"url": url, "error": f"parser failed: {type(exc).__name__}: {exc}"}
        else:
            parsed += 1
            line = parse_output(result, explain)
        print(json.dumps(line, default=_json_default, ensure_ascii=False))
    sys.stdout.flush()
    print(f"warta parse: parsed {parsed} of {total} records as articles", file=sys.stderr)
    return 0 if parsed else 1
