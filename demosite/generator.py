"""Deterministic generator of medcom-style articles with known ground truth.

The ground truth (title, authors, paragraphs, editor, dateline...) is what the parser must
recover from the rendered pages, so tests compare against the model, never against the
parser's own output.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from demosite.vocabulary import (
    CAMPAIGN,
    CHANNELS,
    EDITORS,
    FIRST,
    KICKERS,
    LAST,
    MONTHS,
    PLACES,
    WORDS,
    paragraph,
    sentence,
    words,
)

WIB = ZoneInfo("Asia/Jakarta")


@dataclass
class ArticleModel:
    """Ground truth of one generated article, plus how it is rendered (`style`)."""

    article_id: str
    channel: str
    subchannel: str
    slug: str
    title: str
    kicker: str | None
    authors: list[str]
    editor: str
    published_at: datetime
    dateline: str
    paragraphs: list[str]  # sub-headings included, as their own paragraph
    headings: set[int]  # indexes into paragraphs that are sub-headings
    tags: list[str]
    image_url: str
    image_caption: str
    related: list[str] = field(default_factory=list)  # article ids linked with "Baca"
    style: dict = field(default_factory=dict)
    repost_of: str | None = None  # near-duplicate: re-posted with a new id, title and one sentence edited
    copy_of: str | None = None  # exact copy of another article's body under a new id

    @property
    def path(self) -> str:
        return f"/{self.channel}/{self.subchannel}/{self.article_id}-{self.slug}"

    @property
    def body(self) -> str:
        """The clean body: what the snapshot holds."""
        return "\n\n".join(self.paragraphs)

    @property
    def parsed_body(self) -> str:
        """What the single-page parser returns: the body plus the site-wide campaign line,
        which no rule names and only cross-document learning removes."""
        if not self.style.get("campaign"):
            return self.body
        return "\n\n".join(self.paragraphs[:-1] + [CAMPAIGN] + self.paragraphs[-1:])

    def published_raw(self) -> str:
        p = self.published_at
        text = f"{p.day:02d} {MONTHS[p.month - 1]} {p.year} {p.hour:02d}:{p.minute:02d}"
        suffix = {"bullet": "", "dash": " WIB", "dash_lower": " wib"}[self.style["byline"]]
        return text + suffix


@dataclass
class SiteModel:
    origin: str
    articles: list[ArticleModel]
    days: list[date]

    def by_id(self) -> dict[str, ArticleModel]:
        return {a.article_id: a for a in self.articles}

    def on_day(self, day: date) -> list[ArticleModel]:
        return [a for a in self.articles if a.published_at.date() == day]


def _article_id(rng: random.Random, taken: set[str]) -> str:
    while True:
        aid = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(8))
        if aid not in taken:
            taken.add(aid)
            return aid


def generate_site(
    n_articles: int = 120,
    days: int = 6,
    end: date = date(2026, 11, 26),
    seed: int = 7,
    origin: str = "https://www.medcom.id",
    reposts: int = 2,
) -> SiteModel:
    """`n_articles` spread over the `days` days ending on `end`, with every markup variation."""
    rng = random.Random(seed)
    taken: set[str] = set()
    day_list = [end - timedelta(days=d) for d in range(days - 1, -1, -1)]
    articles = []
    for i in range(n_articles):
        day = day_list[i * days // n_articles]
        channel = rng.choice(sorted(CHANNELS))
        title_words = words(rng, rng.randint(6, 11))
        title = title_words[0].upper() + title_words[1:]
        paragraphs = [paragraph(rng) for _ in range(rng.randint(4, 9))]
        headings = set()
        if i % 3 == 0:  # a sub-heading between paragraphs
            at = rng.randint(2, len(paragraphs) - 1)
            heading = words(rng, rng.randint(3, 5)).title()
            paragraphs.insert(at, heading)
            headings.add(at)
        # A few minutes past midnight or just before it: the WIB day boundary must hold.
        minute_of_day = rng.choice([5, 23 * 60 + 50]) if i % 17 == 0 else rng.randint(6 * 60, 22 * 60)
        published = datetime(day.year, day.month, day.day, minute_of_day // 60, minute_of_day % 60, tzinfo=WIB)
        caption = f"Ilustrasi {words(rng, 3)}. Medcom.id"
        articles.append(
            ArticleModel(
                article_id=_article_id(rng, taken),
                channel=channel,
                subchannel=rng.choice(CHANNELS[channel]),
                slug="-".join(title.lower().split()[:8]),
                title=title,
                kicker=rng.choice(KICKERS) if i % 4 == 1 else None,
                authors=[f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(1 if i % 5 else 2)],
                editor=rng.choice(EDITORS),
                published_at=published,
                dateline=rng.choice(PLACES),
                paragraphs=paragraphs,
                headings=headings,
                tags=sorted({rng.choice(WORDS).title() for _ in range(rng.randint(1, 4))}),
                image_url=f"https://cdn.medcom.id/dynamic/content/{day:%Y/%m/%d}/{100000 + i}/"
                f"{''.join(rng.choice(string.ascii_letters) for _ in range(10))}.jpg?w=1024",
                image_caption=caption,
                style={
                    "byline": ("bullet", "dash", "dash_lower")[i % 3],
                    "paragraphs": "br" if i % 2 else "p",
                    "baca": ("Baca:", "Baca juga:")[i % 2],
                    "reaction": i % 3 == 1,
                    "canonical": i % 4 != 3,
                    "jsonld": i % 5 in (0, 2),
                    "whatsapp": i % 6 == 5,
                    "promo": i % 7 == 3,
                    "editor_inline": i % 8 == 7,
                    "caption_in_body": i % 9 == 4,
                    "dateline_bold_colon": i % 2 == 0,
                    "campaign": i % 5 == 2,
                    "unknown_container": i % 10 == 6,  # the body in a div no selector names
                },
            )
        )
    articles.sort(key=lambda a: a.published_at)
    for i, a in enumerate(articles):
        if i > 0 and i % 3 != 2:
            a.related = [articles[rng.randrange(0, i)].article_id]
    if reposts and len(day_list) > 1:
        articles += _reposts(rng, taken, articles, reposts)
        articles.sort(key=lambda a: a.published_at)
    return SiteModel(origin, articles, day_list)


def _reposts(rng: random.Random, taken: set[str], articles: list[ArticleModel], n: int) -> list[ArticleModel]:
    """Re-posts of long early stories a day later: `n` near-duplicates (one sentence edited, new
    title) and one exact copy of the body."""
    last_day = articles[-1].published_at.date()
    sources = [a for a in articles if len(a.paragraphs) >= 7 and not a.headings and a.published_at.date() < last_day][
        : n + 1
    ]
    made = []
    for k, original in enumerate(sources):
        paragraphs = list(original.paragraphs)
        if k < n:
            target = rng.randrange(1, len(paragraphs))
            sentences = paragraphs[target].split(". ")
            sentences[0] = sentence(rng).rstrip(".")
            paragraphs[target] = ". ".join(sentences)
        title_words = words(rng, 8)
        title = title_words[0].upper() + title_words[1:]
        made.append(
            ArticleModel(
                **{
                    **original.__dict__,
                    "article_id": _article_id(rng, taken),
                    "title": title,
                    "slug": "-".join(title.lower().split()[:8]),
                    "paragraphs": paragraphs,
                    "related": [],
                    "published_at": original.published_at + timedelta(days=1, minutes=7),
                    "repost_of": original.article_id if k < n else None,
                    "copy_of": None if k < n else original.article_id,
                }
            )
        )
    return made
