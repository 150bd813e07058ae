"""Deterministic generation of mirrors from site styles: per site, articles spread over a few
days, on each of its hosts, a few in the older URL forms, with unique ids and the truth warta
must recover from the rendered pages."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path

from demosite.generator import WIB
from demosite.mirrors.model import MirrorArticle, MirrorSite, url_hash
from demosite.mirrors.style import STYLES, Style, UrlForm, available, load
from demosite.mirrors.templates import date_values, draw, fill
from demosite.mirrors.templates import names as placeholders
from demosite.vocabulary import FIRST, KICKERS, LAST, PLACES, WORDS, paragraph, words

END = date(2026, 11, 26)
TRIES = 200  # draws of a fresh id or title before giving up (a style whose ids are too short)


def generate_sites(
    names: list[str] | None = None,
    n_per_site: int = 24,
    days: int = 3,
    seed: int = 7,
    end: date = END,
    folder: Path = STYLES,
) -> dict[str, MirrorSite]:
    """A mirror per style (all shipped styles by default), `n_per_site` articles each over
    the `days` days ending on `end`; the same arguments give the same sites."""
    chosen = names if names is not None else available(folder)
    return {name: generate_mirror(load(name, folder), n_per_site, days, seed, end) for name in chosen}


def generate_mirror(style: Style, n: int = 24, days: int = 3, seed: int = 7, end: date = END) -> MirrorSite:
    """The mirror of one site."""
    rng = random.Random(f"{seed}:{style.name}")
    day_list = [end - timedelta(days=d) for d in range(days - 1, -1, -1)]
    moments = sorted(_moment(rng, day_list[i * days // n], i, style.seconds) for i in range(n))
    forms = [f for f in style.urls for _ in range(f.weight)]
    editors = [draw(style.people["editor_code"], rng, {}) for _ in range(6)] if style.people["editor_code"] else []
    seen: set[str] = set()
    seq = rng.randint(10**5, 10**6)
    per_form: dict[str, int] = {}
    articles = []
    for i, moment in enumerate(moments):
        seq += rng.randint(1, 40)
        form = forms[i % len(forms)] if i else style.urls[0]
        k = per_form[form.form] = per_form.get(form.form, -1) + 1  # each form goes round its sections
        articles.append(_article(style, rng, i, k, moment, form, editors, seen, seq))
    _relate(rng, articles)
    missing = _missing_url(style, rng, moments[-1], seen)
    return MirrorSite(style.home, articles, day_list, style.name, style, missing)


def _moment(rng: random.Random, day: date, i: int, seconds: bool) -> datetime:
    # A few minutes past midnight or just before it: the WIB day boundary must hold.
    minute = rng.choice([4, 23 * 60 + 52]) if i % 11 == 5 else rng.randint(6 * 60, 22 * 60)
    second = rng.randint(0, 59) if seconds else 0
    return datetime(day.year, day.month, day.day, minute // 60, minute % 60, second, tzinfo=WIB)


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _slugs(title: str) -> dict[str, str]:
    first = title.split()[:8]
    return {
        "slug": "-".join(w.lower() for w in first),
        "slug_title": "-".join(w.title() for w in first),
        "slug_dotted": ".".join(w.title() for w in first),
    }


def _article(
    style: Style,
    rng: random.Random,
    i: int,
    k: int,
    moment: datetime,
    form: UrlForm,
    editors: list[str],
    seen: set[str],
    seq: int,
) -> MirrorArticle:
    sections = [s for s in style.sections if not form.channels or s.channel in form.channels]
    section = sections[k % len(sections)]
    brand_only = bool(style.people["brand"]) and i % 2 == 0
    authors = [] if brand_only else [_name(rng) for _ in range(1 if i % 4 else style.people["authors_max"])]
    body = style.body
    first = body.get("first", "")
    has_place = any(n in ("dateline", "DATELINE") for n, _ in placeholders(first))
    dateline = None if not has_place or (body.get("first_plain") and i % 4 == 3) else rng.choice(PLACES)
    paragraphs = [paragraph(rng) for _ in range(rng.randint(3, 7))]
    headings = set()
    if i % 4 == 0 and len(paragraphs) >= 4:
        at = rng.randint(2, len(paragraphs) - 2)
        paragraphs.insert(at, words(rng, rng.randint(3, 5)).title())
        headings.add(at)
    modified = moment + timedelta(minutes=rng.randint(20, 180)) if i % 3 == 0 else moment
    for _ in range(TRIES):
        text = words(rng, rng.randint(6, 11))
        title = text[0].upper() + text[1:]
        values = {
            **_slugs(title),
            **date_values(moment),
            "host": section.host,
            "channel": section.channel,
            "subchannel": section.subchannel,
            "code": section.code,
            "prefix": section.prefix,
            "author_slug": "-".join((authors[0] if authors else style.title).lower().split()),
        }
        ident = draw(form.id, rng, values, seq) if form.id else ""
        values["id"] = ident
        url = fill(form.template, values)
        article_id = url_hash(url) if form.article_id == "hash" else fill(form.article_id, values)
        keys = {f"id:{ident}", f"url:{url.rstrip('/')}", f"aid:{article_id}"} - {"id:"}
        if not keys & seen:
            seen.update(keys)
            break
    else:
        raise ValueError(f"{style.name}: no fresh id after {TRIES} draws of {form.id!r}")
    published_raw = fill(style.page["date"], date_values(moment))
    return MirrorArticle(
        site=style.name,
        article_id=article_id,
        url=url,
        form=form.form,
        url_parts={k: v for k, v in values.items() if k in _used(form)},
        section=section,
        title=title,
        kicker=rng.choice(KICKERS) if style.page.get("kicker") and i % 4 == 1 else None,
        authors=authors,
        editor=rng.choice(editors) if editors else None,
        editor_name=_name(rng),
        published_at=moment,
        modified_at=modified,
        published_raw=published_raw,
        dateline=dateline,
        paragraphs=paragraphs,
        headings=headings,
        tags=sorted({rng.choice(WORDS).title() for _ in range(rng.randint(1, 3))}),
        image_url=f"https://{style.home_host}/images/{moment:%Y/%m/%d}/{rng.randrange(10**5, 10**6)}.jpg",
        image_caption=f"Ilustrasi {words(rng, 3)}. ({style.title})",
        content_id=str(10**6 + seq % (9 * 10**6)),  # what {seq:7} draws
    )


def _used(form: UrlForm) -> set[str]:
    used = {n for n, _ in placeholders(form.template)} | {n for n, _ in placeholders(form.id)}
    if form.article_id != "hash":
        used |= {n for n, _ in placeholders(form.article_id)}
    return used


def _relate(rng: random.Random, articles: list[MirrorArticle]) -> None:
    """Some "Baca juga" links to earlier articles of the site, older URL forms among them:
    archives still link to those."""
    current = articles[0].form
    for i, a in enumerate(articles):
        if i == 0 or i % 3 == 2:
            continue
        earlier = articles[:i]
        old = [t for t in earlier if t.form != current]
        targets = [rng.choice(old)] if old and i % 4 == 0 else [rng.choice(earlier)]
        if i % 5 == 1 and i > 3:
            more = rng.choice(earlier)
            if more not in targets:
                targets.append(more)
        a.related = [t.article_id for t in targets]
        a.related_urls = [t.canonical_url for t in targets]


def _missing_url(style: Style, rng: random.Random, moment: datetime, seen: set[str]) -> str:
    form, section = style.urls[0], style.sections[0]
    values = {
        **_slugs("Berita yang sudah dihapus"),
        **date_values(moment),
        "host": section.host,
        "channel": section.channel,
        "subchannel": section.subchannel,
        "code": section.code,
        "prefix": section.prefix,
        "author_slug": "redaksi",
    }
    for _ in range(TRIES):
        values["id"] = draw(form.id, rng, values, 10**9 - 1) if form.id else ""
        url = fill(form.template, values)
        if f"url:{url.rstrip('/')}" not in seen and f"id:{values['id']}" not in seen:
            return url
    raise ValueError(f"{style.name}: no free URL for the missing article")
