"""The discovery documents of a mirror as concrete URLs: every sitemap, feed and listing page
its style's templates yield (one per host, section, day and page, as the template says), with
the articles each one lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from demosite.mirrors.model import MirrorArticle, MirrorSite
from demosite.mirrors.style import DAY_NAMES, SECTION_NAMES, Document, Section
from demosite.mirrors.templates import fill, names


@dataclass
class Concrete:
    """One document at one URL."""

    spec: Document
    url: str
    articles: list[MirrorArticle]
    page: int = 1
    next_url: str = ""
    pages: int = 1
    children: list[str] = field(default_factory=list)  # a sitemap index's sitemaps


def _values(section: Section | None, day: date | None) -> dict[str, str]:
    values = {}
    if section:
        values.update(
            host=section.host,
            channel=section.channel,
            subchannel=section.subchannel,
            code=section.code,
            prefix=section.prefix,
        )
    if day:
        values.update(
            yyyy=f"{day.year:04d}",
            yy=f"{day.year % 100:02d}",
            mm=f"{day.month:02d}",
            m=str(day.month),
            dd=f"{day.day:02d}",
            d=str(day.day),
        )
    return values


def _groups(site: MirrorSite, spec: Document) -> dict[str, tuple[dict, list[MirrorArticle]]]:
    """The document's URL (page placeholders unfilled) -> (its values, its articles, newest
    first): one group per section and day its template distinguishes, empty ones included."""
    used = {n for n, _ in names(spec.url)}
    by_section = bool(used & SECTION_NAMES)
    by_day = bool(used & set(DAY_NAMES))
    recent = site.days[-1] - timedelta(days=spec.days - 1)
    groups: dict[str, tuple[dict, list[MirrorArticle]]] = {}
    for section in site.style.sections if by_section else [None]:
        for day in site.days if by_day else [None]:
            values = _values(section, day)
            key = fill(spec.url, {**values, "page": "{page}", "offset": "{offset}"})
            groups.setdefault(key, (values, []))
    for a in sorted(site.articles, key=lambda a: a.published_at, reverse=True):
        if spec.kind == "news" and a.published_at.date() < recent:
            continue
        values = _values(a.section if by_section else None, a.published_at.date() if by_day else None)
        groups[fill(spec.url, {**values, "page": "{page}", "offset": "{offset}"})][1].append(a)
    return groups


def documents(site: MirrorSite) -> list[Concrete]:
    """Every discovery document of the site (robots.txt and home pages apart)."""
    out: list[Concrete] = []
    by_name: dict[str, list[str]] = {}
    for spec in site.style.documents:
        if spec.kind == "index":
            continue
        for key, (values, items) in _groups(site, spec).items():
            if spec.kind == "listing":
                out.extend(_pages(spec, key, values, items))
            else:
                if spec.kind in ("rss", "atom"):
                    items = items[: spec.items]
                out.append(Concrete(spec, key, items))
                by_name.setdefault(spec.name, []).append(key)
    for spec in site.style.documents:
        if spec.kind == "index":
            children = [url for name in spec.lists for url in by_name.get(name, [])]
            out.append(Concrete(spec, spec.url, [], children=children))
    return out


def _pages(spec: Document, key: str, values: dict, items: list[MirrorArticle]) -> list[Concrete]:
    numbered = {n for n, _ in names(spec.url)} & {"page", "offset"}
    n = max(1, -(-len(items) // spec.per_page)) if numbered else 1  # no page number: one page
    urls = [fill(spec.url, {**values, "page": str(p), "offset": str((p - 1) * spec.per_page)}) for p in range(1, n + 1)]
    if spec.first:
        urls[0] = fill(spec.first, values)
    pages = []
    for p in range(1, n + 1):
        chunk = items[(p - 1) * spec.per_page : p * spec.per_page]
        next_url = urls[p] if p < n and spec.next else ""
        pages.append(Concrete(spec, urls[p - 1], chunk, page=p, next_url=next_url, pages=n))
    if spec.first:  # the numbered form of the first page answers too
        numbered_first = fill(spec.url, {**values, "page": "1", "offset": "0"})
        pages.append(Concrete(spec, numbered_first, pages[0].articles, 1, pages[0].next_url, n))
    return pages
