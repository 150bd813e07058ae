"""Rendering of the generated site in the reference layout, with the variations real pages show."""

from __future__ import annotations

import json
from datetime import date, timedelta
from html import escape
from xml.sax.saxutils import escape as xml_escape

from demosite.generator import ArticleModel, SiteModel
from demosite.vocabulary import CAMPAIGN, CHANNELS

PROMO = "Hai, Sobat Medcom.id! Yuk ikuti kuis berhadiah setiap hari di aplikasi kami."
# Site chrome as heavy as a real portal's: mega menu, scripts, footer (what extractors must skip).
NAV = (
    '<header><nav class="megamenu"><ul>'
    + "".join(
        f'<li><a href="/{channel}">{channel.title()}</a><ul>'
        + "".join(f'<li><a href="/{channel}/{sub}">{sub.replace("-", " ").title()}</a></li>' for sub in subs)
        + "</ul></li>"
        for channel, subs in CHANNELS.items()
    )
    + (
        '<li><a href="/tag/pemilu">#Pemilu</a></li><li><a href="https://video.medcom.id/">Video</a></li>'
        '</ul></nav><form class="search" action="/search"><input name="q" placeholder="Cari berita"></form></header>'
    )
)
SCRIPTS = "".join(
    f'<script>window.adSlots = window.adSlots || []; adSlots.push({{"id": "div-gpt-ad-{n}", '
    f'"sizes": [[300, 250], [336, 280], [728, 90]], "targeting": {{"channel": "news", "pos": {n}}}}});'
    f"(function(w,d,s,l,i){{w[l]=w[l]||[];w[l].push({{'gtm.start':new Date().getTime(),event:'gtm.js'}});"
    f"var f=d.getElementsByTagName(s)[0],j=d.createElement(s);j.async=true;f.parentNode.insertBefore(j,f);}})"
    f"(window,document,'script','dataLayer','GTM-{n}');</script>"
    for n in range(12)
)
FOOTER = (
    '<footer><div class="footer-links">'
    + "".join(f'<a href="/{channel}/{sub}">{sub.title()}</a> ' for channel, subs in CHANNELS.items() for sub in subs)
    + "".join(
        f'<a href="/{page}">{page.title()}</a> '
        for page in (
            "tentang-kami",
            "redaksi",
            "pedoman-media-siber",
            "kode-etik",
            "kontak",
            "karir",
            "iklan",
            "privasi",
        )
    )
    + "</div><p>Copyright &copy; 2026 Medcom.id. All Rights Reserved.</p></footer>"
)


def _related_href(target: ArticleModel, n: int) -> str:
    """Links to the same article in the forms seen in the wild (tracking, mobile, AMP, ?p=all)."""
    forms = (
        f"https://www.medcom.id{target.path}?utm_source=terkait&utm_medium=terkait",
        f"https://m.medcom.id{target.path}",
        f"{target.path}?p=all",
        f"https://www.medcom.id/amp{target.path}#top",
        f"HTTPS://WWW.MEDCOM.ID{target.path}/",
    )
    return forms[n % len(forms)]


def _body(a: ArticleModel, site: SiteModel) -> str:
    s = a.style
    first = (
        f"<strong>{a.dateline}:&nbsp;</strong>{escape(a.paragraphs[0])}"
        if s["dateline_bold_colon"]
        else f"<strong>{a.dateline}</strong>: {escape(a.paragraphs[0])}"
    )
    chunks: list[str] = []
    run: list[str] = [first]

    def close_run():
        if not run:
            return
        if s["paragraphs"] == "br":
            chunks.append("<p>" + "<br />&nbsp;<br />".join(run) + "</p>")
        else:
            chunks.extend(f"<p>{p}</p>" for p in run)
        run.clear()

    middle = max(1, len(a.paragraphs) // 2)
    for i, text in enumerate(a.paragraphs[1:], start=1):
        if i == middle and s["reaction"]:
            close_run()
            chunks.append(
                '<div class="reaction"><p>Bagaimana tanggapan anda mengenai artikel ini?</p>'
                "<ul><li>Happy</li><li>Inspire</li><li>Confuse</li><li>Sad</li></ul></div>"
            )
        if i == middle and s["caption_in_body"]:
            close_run()
            chunks.append(
                f'<figure><img src="{a.image_url}" alt="{escape(a.image_caption)}"/>'
                f"<figcaption>{escape(a.image_caption)}</figcaption></figure>"
            )
        if i == middle + 1 and s["promo"]:
            close_run()
            chunks.append(f"<p>{PROMO}</p>")
        if i == middle and a.related:
            close_run()
            target = site.by_id()[a.related[0]]
            chunks.append(
                f'<p><strong>{s["baca"]}&nbsp;<a href="{_related_href(target, i)}">'
                f"{escape(target.title)}</a></strong></p>"
            )
        if i in a.headings:
            close_run()
            chunks.append(f"<h2>{escape(text)}</h2>" if i % 2 else f"<p><strong>{escape(text)}</strong></p>")
            continue
        if i == len(a.paragraphs) - 1 and s["campaign"]:
            close_run()
            chunks.append(f"<p>{CAMPAIGN}</p>")
        if i == len(a.paragraphs) - 1 and s["editor_inline"]:
            text = f"{text} ({a.editor})"
        run.append(escape(text))
    close_run()
    chunks.append('<script>window.dataLayer = window.dataLayer || []; dataLayer.push({"p": 1});</script>')
    chunks.append('<div class="ads"><p>ADVERTISEMENT</p><ins class="adsbygoogle"></ins></div>')
    tail = "dan follow Channel WhatsApp Medcom.id" if s["whatsapp"] else ""
    chunks.append(
        f'<p>Cek Berita dan Artikel yang lain di <a href="https://news.google.com/">Google News</a> {tail}</p>'
    )
    if not s["editor_inline"]:
        chunks.append(f"<p>({a.editor})</p>")
    return "\n".join(chunks)


def _jsonld(a: ArticleModel, site: SiteModel) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": a.title,
        "datePublished": a.published_at.isoformat(),
        "mainEntityOfPage": site.origin + a.path,
        "author": [{"@type": "Person", "name": n} for n in a.authors],
        "image": a.image_url,
        "articleBody": a.paragraphs[0],
    }  # truncated on purpose: never trust articleBody
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def render_article(a: ArticleModel, site: SiteModel) -> str:
    s = a.style
    head = [
        f"<title>{escape(a.title)} - Medcom.id</title>",
        '<meta charset="utf-8">',
        f'<meta property="og:title" content="{escape(a.title)}">',
        f'<meta property="og:image" content="{a.image_url}">',
        f'<meta name="keywords" content="{escape(", ".join(a.tags))}">',
    ]
    if s["canonical"]:
        head.append(f'<link rel="canonical" href="{site.origin}{a.path}">')
        head.append(f'<link rel="amphtml" href="{site.origin}/amp{a.path}">')
    if s["jsonld"]:
        head.append(_jsonld(a, site))
    authors = ", ".join(a.authors)
    sep = " • " if s["byline"] == "bullet" else " - "
    byline = f'<div class="info_ct"><span class="author">{escape(authors)}</span>{sep}{a.published_raw()}</div>'
    kicker = f'<div class="kicker">{escape(a.kicker)}</div>' if a.kicker else ""
    tags = "".join(f'<a href="/tag/{t.lower()}">{escape(t)}</a>' for t in a.tags)
    others = [o for o in site.articles if o.article_id != a.article_id][:10]
    links = "".join(
        f'<li><a href="{o.path}?utm_source=allfeed&utm_medium=terkait">{escape(o.title)}</a></li>' for o in others
    )
    return f"""<!DOCTYPE html>
<html lang="id"><head>{"".join(head)}</head>
<body>{NAV}
<main><article>
{kicker}<h1>{escape(a.title)}</h1>
{byline}
<div class="share"><a href="https://facebook.com/sharer">Facebook</a> <a href="https://twitter.com/share">Twitter</a></div>
<figure class="pic"><img src="{a.image_url}" alt="{escape(a.image_caption)}"/><figcaption>{
        escape(a.image_caption)
    }</figcaption></figure>
{
        '<div class="content-wrapper">'
        if s.get("unknown_container")
        else '<div id="articleBody" class="text" itemprop="articleBody">'
    }
{_body(a, site)}
</div>
<div class="tags">{tags}</div>
</article>
<section class="terkait"><h3>TERKAIT</h3><ul>{links}</ul></section>
<section class="berita-lainnya"><h3>BERITA LAINNYA</h3><ul>{links}</ul></section>
<section class="follow"><h3>FOLLOW US</h3><p>Ikuti media sosial medcom.id dan dapatkan berbagai keuntungan</p></section>
<aside class="terpopuler"><h3>TERPOPULER</h3><ol>{links}</ol></aside>
</main>{FOOTER}{SCRIPTS}</body></html>"""


def render_index(site: SiteModel, day: date, page: int, per_page: int = 10) -> str | None:
    items = site.on_day(day)
    pages = max(1, -(-len(items) // per_page))
    if page > pages:
        return None
    chunk = items[(page - 1) * per_page : page * per_page]
    base = f"/indeks/{day:%Y/%m/%d}"
    rel_next = f'<link rel="next" href="{base}?page={page + 1}">' if page < pages else ""
    more = f'<a rel="next" href="{base}?page={page + 1}">Selanjutnya</a>' if page < pages else ""
    li = "".join(f'<li><a href="{a.path}">{escape(a.title)}</a></li>' for a in chunk)
    video = f'<li><a href="/video/sorotan/Vd{day:%m%d}xy-ringkasan-hari-ini">Video</a></li>' if page == 1 else ""
    return (
        f"<html><head><title>Indeks {day}</title>{rel_next}</head><body>{NAV}<h1>Indeks Berita</h1>"
        f'<ul class="indeks">{li}{video}<li><a href="https://video.medcom.id/sorotan/Vd{day:%m%d}zz-klip">'
        f"Klip</a></li></ul>{more}</body></html>"
    )


def render_video(path: str) -> str:
    return (
        f"<html><head><title>Video</title></head><body>{NAV}<h1>Ringkasan hari ini</h1>"
        '<div class="video-player"><video src="/media/v.mp4"></video></div></body></html>'
    )


def render_rss(site: SiteModel, extra_paths: tuple[str, ...] = ()) -> str:
    latest = sorted(site.articles, key=lambda a: a.published_at, reverse=True)[:20]
    items = [
        (
            a.title,
            f"{site.origin}{a.path}?utm_source=rss&utm_medium=allfeed&utm_campaign=rss",
            a.published_at.strftime("%a, %d %b %Y %H:%M:%S %z"),
        )
        for a in latest
    ]
    items += [
        ("Hilang", f"{site.origin}{p}?utm_source=rss", latest[0].published_at.strftime("%a, %d %b %Y %H:%M:%S %z"))
        for p in extra_paths
    ]
    body = "".join(
        f"<item><title>{xml_escape(t)}</title><link>{xml_escape(u)}</link><pubDate>{d}</pubDate></item>"
        for t, u, d in items
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Medcom.id</title>'
        f"<link>{site.origin}</link>{body}</channel></rss>"
    )


def render_sitemap_index(site: SiteModel) -> str:
    maps = [f"<sitemap><loc>{site.origin}/sitemap/news.xml</loc></sitemap>"]
    maps += [
        f"<sitemap><loc>{site.origin}/sitemap/{d:%Y-%m-%d}.xml</loc><lastmod>{d}</lastmod></sitemap>" for d in site.days
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
        f'sitemap/0.9">{"".join(maps)}</sitemapindex>'
    )


def render_daily_sitemap(site: SiteModel, day: date) -> str | None:
    if day not in site.days:
        return None
    urls = "".join(
        f"<url><loc>{site.origin}{a.path}</loc><lastmod>{a.published_at.isoformat()}</lastmod></url>"
        for a in site.on_day(day)
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def render_news_sitemap(site: SiteModel) -> str:
    last = site.days[-1]
    recent = [a for a in site.articles if a.published_at.date() >= last - timedelta(days=1)]
    urls = "".join(
        f"<url><loc>{site.origin}{a.path}</loc><news:news><news:publication><news:name>Medcom.id</news:name>"
        f"<news:language>id</news:language></news:publication><news:publication_date>"
        f"{a.published_at.isoformat()}</news:publication_date><news:title>{xml_escape(a.title)}</news:title>"
        f"</news:news></url>"
        for a in recent
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
    )


def render_robots(site: SiteModel) -> str:
    return f"User-agent: *\nDisallow: /search\nAllow: /\n\nSitemap: {site.origin}/sitemap.xml\n"
