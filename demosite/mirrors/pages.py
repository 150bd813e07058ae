"""Article pages of a mirror, rendered from the site's style: head metadata, the header
(title, kicker, byline, date), the body with its dateline, "Baca juga" blocks, boilerplate and
editor code, and the site's chrome around it."""

from __future__ import annotations

import json
from html import escape

from demosite.mirrors.model import MirrorArticle, MirrorSite
from demosite.mirrors.templates import date_values, fill

# Ad and tag-manager scripts as heavy as a real portal's (what extractors must skip).
ADS = "".join(
    f'<script>window.adSlots = window.adSlots || []; adSlots.push({{"id": "div-gpt-ad-{n}", '
    f'"sizes": [[300, 250], [728, 90]]}});</script>'
    for n in range(6)
)


def page_values(a: MirrorArticle, site: MirrorSite, raw: bool = False) -> dict[str, str]:
    """The placeholder values of `a`'s page, HTML-escaped unless `raw` (JSON data)."""
    style = site.style
    people = style.people
    # A byline without a named author shows the newsroom's name (`people.brand`).
    authors = a.authors or ([people["brand"]] if people["brand"] else [])
    shown = [
        fill(people["author"], {"author": n, "author_slug": "-".join(n.lower().split()), "home": style.home})
        if a.authors
        else n
        for n in authors
    ]
    s = a.section
    values = {
        **date_values(a.published_at),
        **date_values(a.modified_at, "mod_"),
        "title": a.title,
        "kicker": a.kicker or "",
        "date": a.published_raw,
        "editor": a.editor or "",
        "editor_name": a.editor_name,
        "url": a.canonical_url,
        "id": a.url_parts.get("id", a.article_id),
        "brand": style.title,
        "tags": ", ".join(a.tags),
        "image": a.image_url,
        "caption": a.image_caption,
        "lead": a.paragraphs[0],
        "body_text": a.body,
        "body_flat": " ".join(a.paragraphs),
        "content_id": a.content_id,
        "home": style.home,
        "dateline": a.dateline or "",
        "DATELINE": (a.dateline or "").upper(),
        "host": s.host,
        "channel": s.channel,
        "Channel": s.channel.replace("-", " ").title(),
        "subchannel": s.subchannel,
        "code": s.code,
        "prefix": s.prefix,
    }
    if not raw:
        values = {k: escape(v) for k, v in values.items()}
        values["authors"] = people["join"].join(shown)  # author templates are markup already
    else:
        values["authors"] = people["join"].join(authors)
    page = style.page
    values["updated"] = fill(page["updated"], values) if page.get("updated") and a.modified_at != a.published_at else ""
    values["kicker"] = fill(page["kicker"], values) if page.get("kicker") and a.kicker else ""
    return values


def _data(value, values: dict[str, str], a: MirrorArticle, site: MirrorSite):
    """A JSON data template filled: strings are templates, `"{authors_persons}"` and the
    other list values stand for a whole array."""
    if isinstance(value, dict):
        return {k: _data(v, values, a, site) for k, v in value.items()}
    if isinstance(value, list):
        return [_data(v, values, a, site) for v in value]
    if not isinstance(value, str):
        return value
    brand = site.style.people["brand"]
    lists = {
        "{authors_list}": list(a.authors),
        "{authors_persons}": [{"@type": "Person", "name": n} for n in a.authors]
        or ([{"@type": "Organization", "name": brand}] if brand else []),
        "{editor_person}": {"@type": "Person", "name": a.editor_name},
        "{authors_null}": [{"@type": "Person", "name": None}],
        "{tags_list}": list(a.tags),
    }
    return lists[value] if value in lists else fill(value, values)


def head(a: MirrorArticle, site: MirrorSite, values: dict[str, str]) -> str:
    page = site.style.page
    parts = [f"<title>{fill(page['head_title'], values)}</title>", '<meta charset="utf-8">']
    parts.append(f'<meta property="og:title" content="{values["title"]}">')
    parts.append(f'<meta property="og:image" content="{values["image"]}">')
    parts.append(f'<meta name="keywords" content="{values["tags"]}">')
    for meta in page.get("meta", []):
        attr = "name" if "name" in meta else "property"
        parts.append(f'<meta {attr}="{meta[attr]}" content="{fill(meta["content"], values)}">')
    if page["canonical"]:
        parts.append(f'<link rel="canonical" href="{values["url"]}">')
    raw = page_values(a, site, raw=True)
    for script in page.get("scripts", []):
        if "template" in script:
            parts.append(fill(script["template"], values))
        else:
            text = json.dumps(_data(script["data"], raw, a, site), ensure_ascii=False).replace("</", "<\\/")
            parts.append(fill(script["wrap"], {"json": text}))
    return "\n".join(parts)


def body(a: MirrorArticle, site: MirrorSite, values: dict[str, str]) -> str:
    """The article body: paragraphs in the site's markup, with everything a parser must drop."""
    spec = site.style.body
    by_id = {t.article_id: t for t in site.articles}
    related = [by_id[r] for r in a.related]
    suffix = site.style.page.get("related_suffix", "")
    last = len(a.paragraphs) - 1  # at least 2: three paragraphs or more
    middle = max(1, last // 2)
    # "Baca juga" after the 2nd paragraph, a second one further down (never after the last).
    slots = {1: related[:1]}
    slots.setdefault(middle + 1 if middle + 1 < last else 1, []).extend(related[1:])
    chunks = []
    for i, text in enumerate(a.paragraphs):
        v = {**values, "text": escape(text)}
        if i == 0:
            key = "first" if a.dateline or not spec.get("first_plain") else "first_plain"
            chunks.append(fill(spec.get(key) or spec["paragraph"], v))
        elif i in a.headings:
            chunks.append(fill(spec["heading"], v))
        elif i == last and spec.get("last"):
            chunks.append(fill(spec["last"], v))
        else:
            chunks.append(fill(spec["paragraph"], v))
        if i == middle:
            chunks.extend(fill(item, values) for item in spec["boilerplate"])
        chunks.extend(_related(spec, target, suffix) for target in slots.get(i, []))
    if spec.get("editor"):
        chunks.append(fill(spec["editor"], values))
    chunks.extend(fill(item, values) for item in spec["end"])
    return fill(spec["container"], {**values, "body": "\n".join(chunks)})


def _related(spec: dict, target: MirrorArticle, suffix: str) -> str:
    return fill(spec["related"], {"url": escape(target.url + suffix), "title": escape(target.title)})


def chrome(site: MirrorSite) -> tuple[str, str]:
    """The site's navigation and footer."""
    hosts = sorted({s.host for s in site.style.sections})
    links = "".join(f'<li><a href="https://{h}/">{escape(h.split(".")[0].title())}</a></li>' for h in hosts)
    nav = (
        f'<header><nav class="menu"><a class="logo" href="{site.style.home}">{escape(site.style.title)}</a>'
        f'<ul>{links}</ul></nav><form class="search" action="/search"><input name="q" placeholder="Cari berita">'
        "</form></header>"
    )
    footer = (
        f'<footer><div class="footer-links"><a href="{site.style.home}">Beranda</a></div>'
        f"<p>Copyright &copy; 2026 {escape(site.style.title)}. All Rights Reserved.</p></footer>"
    )
    return nav, footer


def render_article(a: MirrorArticle, site: MirrorSite) -> str:
    """The article's page, as its site renders it."""
    values = page_values(a, site)
    page = site.style.page
    header = fill(page["header"], values)
    figure = (
        ""
        if "{image}" in page["header"]
        else f'<figure class="photo"><img src="{values["image"]}" alt="{values["caption"]}">'
        f"<figcaption>{values['caption']}</figcaption></figure>"
    )
    latest = sorted((o for o in site.articles if o is not a), key=lambda o: o.published_at, reverse=True)[:6]
    aside = "".join(f'<li><a href="{escape(o.url)}">{escape(o.title)}</a></li>' for o in latest)
    nav, footer = chrome(site)
    after = fill(page.get("after", ""), values)
    return f"""<!DOCTYPE html>
<html lang="id"><head>
{head(a, site, values)}
</head>
<body>{nav}
<main><article>
{header}
{figure}
{body(a, site, values)}
{after}
</article>
<aside class="terpopuler"><h3>Terpopuler</h3><ul>{aside}</ul></aside>
</main>{footer}{ADS}</body></html>"""
