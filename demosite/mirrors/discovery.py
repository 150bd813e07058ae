"""Rendering of a mirror's discovery documents: robots.txt, sitemap indexes, sitemaps and
Google News sitemaps, RSS and Atom feeds, HTML listings (date indexes, latest pages) and the
front page of each host."""

from __future__ import annotations

from html import escape
from xml.sax.saxutils import escape as xml_escape

from demosite.mirrors.documents import Concrete
from demosite.mirrors.model import MirrorArticle, MirrorSite
from demosite.mirrors.pages import chrome
from demosite.mirrors.templates import date_values, fill

SITEMAP_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
NEWS_NS = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def render_robots(site: MirrorSite, host: str) -> str:
    robots = site.style.robots
    lines = ["User-agent: *"] + [f"Disallow: {p}" for p in robots.get("disallow", [])] + ["Allow: /", ""]
    if robots.get("extra"):
        lines += [robots["extra"].strip(), ""]
    lines += [f"Sitemap: {fill(s, {'host': host})}" for s in robots.get("sitemaps", [])]
    return "\n".join(lines) + "\n"


def render(doc: Concrete, site: MirrorSite, missing: bool = False) -> tuple[str, str]:
    """(content type, text) of a discovery document; `missing` adds the site's deleted
    article (a 404 the crawl must survive)."""
    kind = doc.spec.kind
    if kind == "index":
        maps = "".join(f"<sitemap><loc>{xml_escape(u)}</loc></sitemap>" for u in doc.children)
        return (
            "application/xml",
            f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {SITEMAP_NS}>{maps}</sitemapindex>',
        )
    if kind in ("urlset", "news"):
        return "application/xml", _urlset(doc, site, missing)
    if kind == "rss":
        return "application/rss+xml", _rss(doc, site, missing)
    if kind == "atom":
        return "application/atom+xml", _atom(doc, site, missing)
    return "text/html", _listing(doc, site, missing)


def _link(doc: Concrete, site: MirrorSite, a: MirrorArticle) -> str:
    return site.style.home if doc.spec.links == "home" else a.url + doc.spec.link_suffix


def _urlset(doc: Concrete, site: MirrorSite, missing: bool) -> str:
    rows = []
    for a in doc.articles:
        if doc.spec.kind == "news":
            rows.append(
                f"<url><loc>{xml_escape(a.url)}</loc><news:news><news:publication><news:name>"
                f"{xml_escape(site.style.title)}</news:name><news:language>id</news:language></news:publication>"
                f"<news:publication_date>{a.published_at.isoformat()}</news:publication_date>"
                f"<news:title>{xml_escape(a.title)}</news:title></news:news></url>"
            )
        else:
            rows.append(f"<url><loc>{xml_escape(a.url)}</loc><lastmod>{a.modified_at.isoformat()}</lastmod></url>")
    if missing:
        rows.append(f"<url><loc>{xml_escape(site.missing_url)}</loc></url>")
    ns = f"{SITEMAP_NS} {NEWS_NS}" if doc.spec.kind == "news" else SITEMAP_NS
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {ns}>{"".join(rows)}</urlset>'


def _rss(doc: Concrete, site: MirrorSite, missing: bool) -> str:
    items = [
        f"<item><title>{xml_escape(a.title)}</title><link>{xml_escape(_link(doc, site, a))}</link>"
        f"<guid>{xml_escape(a.url)}</guid><pubDate>{a.published_at.strftime('%a, %d %b %Y %H:%M:%S %z')}</pubDate>"
        f"<description>{xml_escape(a.paragraphs[0])}</description></item>"
        for a in doc.articles
    ]
    if missing:
        items.append(f"<item><title>Hilang</title><link>{xml_escape(site.missing_url)}</link></item>")
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{xml_escape(site.style.title)}'
        f"</title><link>{xml_escape(site.style.home)}</link><language>id</language>{''.join(items)}</channel></rss>"
    )


def _atom(doc: Concrete, site: MirrorSite, missing: bool) -> str:
    entries = [
        f'<entry><title>{xml_escape(a.title)}</title><link href="{xml_escape(_link(doc, site, a))}"/>'
        f"<id>{xml_escape(a.url)}</id><updated>{a.modified_at.isoformat()}</updated>"
        f"<published>{a.published_at.isoformat()}</published></entry>"
        for a in doc.articles
    ]
    if missing:
        entries.append(f'<entry><title>Hilang</title><link href="{xml_escape(site.missing_url)}"/></entry>')
    return (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{xml_escape(site.style.title)}</title><id>{xml_escape(doc.url)}</id>{''.join(entries)}</feed>"
    )


def _item(doc: Concrete, a: MirrorArticle) -> str:
    values = {k: escape(v) for k, v in date_values(a.published_at).items()}
    values.update(url=escape(a.url), title=escape(a.title), date=escape(a.published_raw), content_id=a.content_id)
    template = doc.spec.item or '<li><a href="{url}">{title}</a> <span class="date">{date}</span></li>'
    return fill(template, values)


def _listing(doc: Concrete, site: MirrorSite, missing: bool) -> str:
    nav, footer = chrome(site)
    items = "".join(_item(doc, a) for a in doc.articles)
    if missing:
        items += f'<li><a href="{escape(site.missing_url)}">Hilang</a></li>'
    rel = f'<link rel="next" href="{escape(doc.next_url)}">' if doc.next_url else ""
    more_template = doc.spec.more or '<a class="next" rel="next" href="{url}">Selanjutnya</a>'
    values = {"url": escape(doc.next_url), "page": str(doc.page), "pages": str(doc.pages)}
    more = fill(more_template, values) if doc.next_url else ""
    return (
        f'<!DOCTYPE html><html lang="id"><head><title>Indeks Berita - {escape(site.style.title)}</title>{rel}</head>'
        f'<body>{nav}<main><h1>Indeks Berita</h1><ul class="indeks">{items}</ul>{more}</main>{footer}</body></html>'
    )


def render_front(site: MirrorSite, host: str) -> str:
    """A host's front page: its latest articles (the whole site's on the home host)."""
    home = host == site.style.home_host
    latest = [a for a in site.articles if home or a.section.host == host]
    latest = sorted(latest, key=lambda a: a.published_at, reverse=True)[:30]
    nav, footer = chrome(site)
    items = "".join(
        f'<div class="item"><div class="text"><h3><a href="{escape(a.url)}">{escape(a.title)}</a></h3></div></div>'
        for a in latest
    )
    return (
        f'<!DOCTYPE html><html lang="id"><head><title>{escape(site.style.title)}</title></head>'
        f'<body>{nav}<main><section class="latest">{items}</section></main>{footer}</body></html>'
    )
