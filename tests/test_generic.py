"""The generic extractor on small made-up pages: what issue 14 asked of it, one rule a test."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from extract.authors import clean_names
from extract.parse import parse_page
from extract.published import parse_datetime
from extract.sites import get_site
from extract.sites.profile import GENERIC
from extract.titles import strip_site

MEDCOM = get_site("medcom")

URL = "https://news.example.org/world/2024/05/03/some-story-123456"
PARAGRAPHS = [
    "The council met on Tuesday evening to discuss the new budget, which had been delayed twice.",
    "Members argued for hours about the cost of repairing the old bridge, and no vote was taken.",
    "A decision is now expected next month, after a public consultation has been held in town.",
    "Residents who spoke at the meeting said they were tired of waiting for the repairs to start.",
]


def page(body: str, head: str = "", lang: str = "en") -> str:
    return f"<html lang='{lang}'><head>{head}</head><body>{body}</body></html>"


def article_html(paragraphs=PARAGRAPHS, wrapper="div class='story'") -> str:
    tag = wrapper.split()[0]
    return f"<{wrapper}>" + "".join(f"<p>{p}</p>" for p in paragraphs) + f"</{tag}>"


def test_a_sidebar_box_that_a_selector_finds_loses_to_the_article():
    sidebar = "<aside><div class='text'><h3>Headline</h3><a href='/a'>Another story</a></div></aside>"
    html = page("<h1>Budget talks stall</h1>" + sidebar + article_html())
    result = parse_page(html, URL, GENERIC)
    assert result.article.body.split("\n\n") == PARAGRAPHS
    assert result.route == "generic" and result.sources["body"].startswith("search:")
    assert result.sources["body_rejected"].startswith("css:div.text")
    assert float(result.sources["body_score"]) > 0


def test_paragraphs_in_plain_divs_are_found_without_the_fallback():
    body = "<div class='wrap'>" + "".join(f"<div>{p}</div>" for p in PARAGRAPHS) + "</div>"
    result = parse_page(page("<h1>Budget talks stall</h1>" + body), URL, GENERIC)
    assert result.route == "generic"
    assert result.article.body.split("\n\n") == PARAGRAPHS


def test_navigation_comments_and_related_stories_stay_out():
    html = page(
        "<nav><ul><li><a href='/'>Home</a></li><li><a href='/w'>World</a></li></ul></nav>"
        "<h1>Budget talks stall</h1>"
        + article_html()
        + "<div class='related-stories'><p>"
        + "Another long story about something else entirely. " * 4
        + "</p></div><div id='comments'><p>"
        + "I think the council is wasting our money again. " * 4
        + "</p></div>"
    )
    assert parse_page(html, URL, GENERIC).article.body.split("\n\n") == PARAGRAPHS


def test_a_profile_selector_that_returns_a_link_list_loses_to_the_article():
    html = page(
        "<h1>Judul berita</h1><div id='articleBody'><a href='/x'>Baca juga berita lain di sini</a></div>"
        + article_html()
    )
    result = parse_page(html, "https://www.medcom.id/nasional/politik/nbwXaLxk-judul-berita", MEDCOM)
    assert result.route == "generic"
    assert result.article.body.split("\n\n") == PARAGRAPHS


def test_the_title_is_the_headline_not_the_logo_or_section_h1():
    head = "<title>Budget talks stall | Example News</title><meta property='og:site_name' content='Example News'>"
    html = page("<h1>Regional</h1><h1>Budget talks stall</h1>" + article_html(), head)
    assert parse_page(html, URL, GENERIC).article.title == "Budget talks stall"


def test_a_site_title_with_a_slogan_gives_way_to_the_h1():
    head = "<title>Example.org - Experience The News</title>"
    html = page("<h1>Budget talks stall</h1>" + article_html(), head)
    assert parse_page(html, URL, GENERIC).article.title == "Budget talks stall"


@pytest.mark.parametrize(
    "title, want",
    [
        ("Budget talks stall | Example News", "Budget talks stall"),
        ("Budget talks stall - Example News - 03.05.2024", "Budget talks stall"),
        ("Example News: Budget talks stall", "Budget talks stall"),
        ("Budget talks stall: what comes next", "Budget talks stall: what comes next"),
    ],
)
def test_the_site_name_is_cut_from_either_end(title, want):
    assert strip_site(title, {"examplenews", "example"}, set())[0] == want


def test_published_at_keeps_seconds_and_the_offset_given():
    head = "<meta property='article:published_time' content='2024-05-03T15:47:42+02:00'>"
    published = parse_page(
        page("<h1>Budget talks stall</h1>" + article_html(), head), URL, GENERIC
    ).article.published_at
    assert published == datetime(2024, 5, 3, 15, 47, 42, tzinfo=timezone(timedelta(hours=2)))
    assert published.utcoffset() == timedelta(hours=2)


def test_a_naive_time_takes_the_offset_the_page_gives_elsewhere():
    head = (
        '<script type=\'application/ld+json\'>{"@type": "NewsArticle", "headline": "Budget talks stall",'
        '"datePublished": "2024-05-03 15:47:42.0", "dateModified": "2024-05-03T16:00:00+02:00"}</script>'
    )
    published = parse_page(
        page("<h1>Budget talks stall</h1>" + article_html(), head), URL, GENERIC
    ).article.published_at
    assert published == datetime(2024, 5, 3, 13, 47, 42, tzinfo=timezone.utc)


def test_a_time_of_day_beats_a_bare_date():
    head = (
        '<script type=\'application/ld+json\'>{"@type": "NewsArticle", "datePublished": "2024-05-03"}</script>'
        "<meta property='article:published_time' content='2024-05-03T13:34:26+00:00'>"
    )
    published = parse_page(
        page("<h1>Budget talks stall</h1>" + article_html(), head), URL, GENERIC
    ).article.published_at
    assert published == datetime(2024, 5, 3, 13, 34, 26, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "text, want",
    [
        ("2023-08-30T16:45+0100", datetime(2023, 8, 30, 16, 45, tzinfo=timezone(timedelta(hours=1)))),
        ("Fri Apr 28 19:20:36 CEST 2023", datetime(2023, 4, 28, 19, 20, 36, tzinfo=timezone(timedelta(hours=2)))),
        ("Tue, 07 Nov 2023 10:00:00 GMT", datetime(2023, 11, 7, 10, 0, tzinfo=timezone.utc)),
    ],
)
def test_date_forms_of_real_pages(text, want):
    value, has_time = parse_datetime(text)
    assert value == want and has_time


@pytest.mark.parametrize(
    "text, want",
    [
        ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
        ("Reporter: Budi Santoso", ["Budi Santoso"]),
        ("Von Anna Martel und Lea Wagner, dpa", ["Anna Martel", "Lea Wagner", "dpa"]),
        ("Stefan Grobe Published on", ["Stefan Grobe"]),
        ("https://example.org/#/schema/person/12ab", []),
        ("Example News", []),
    ],
)
def test_author_names_lose_labels_and_split(text, want):
    assert clean_names(text, {"examplenews"}) == want


def test_the_language_is_the_pages_own():
    html = page("<h1>Haushalt</h1>" + article_html(), lang="de-DE")
    result = parse_page(html, URL, GENERIC)
    assert result.article.language == "de" and result.sources["language"] == "html:lang"


def test_when_the_search_finds_nothing_trafilatura_is_asked(monkeypatch):
    from extract import main_content

    monkeypatch.setattr(main_content, "search", lambda root: main_content.Search())
    result = parse_page(page("<h1>Budget talks stall</h1>" + article_html()), URL, GENERIC)
    assert result.route == "fallback" and result.sources["body"] == "trafilatura"
    assert PARAGRAPHS[0] in result.article.body


NEXT_STORY = [
    "The striker scored twice in the second half, and the home crowd stayed long after the whistle.",
    "His coach said afterwards that the team had worked all week on the set pieces that decided it.",
    "The club now sits third in the table, two points behind the leaders with five games to play.",
]


def test_a_next_story_under_the_article_is_left_out():
    # The next story is the longer one: the search picks the element holding both.
    longer = [f"{p} It was game {i} of the season." for i in range(3) for p in NEXT_STORY]
    first = "<article><h1>Budget talks stall</h1>" + article_html() + "</article>"
    second = "<article><h1>Striker wins the derby</h1>" + article_html(longer) + "</article>"
    result = parse_page(page(f"<main>{first}<div class='under'>{second}</div></main>"), URL, GENERIC)
    assert result.sources["body"] == "search:main"
    assert result.article.body.split("\n\n") == PARAGRAPHS


def test_a_feed_of_sibling_articles_is_left_out():
    teasers = "".join(
        f"<article><a href='/story-{i}'>Story {i}</a><p>{p} {p}</p></article>" for i, p in enumerate(NEXT_STORY)
    )
    body = "<article><h1>Budget talks stall</h1>" + article_html() + f"<h3>You may like</h3>{teasers}</article>"
    result = parse_page(page(body), URL, GENERIC)
    assert result.article.body.split("\n\n") == PARAGRAPHS


def test_a_numbered_list_of_short_items_stays_whole():
    # Twelve short numbered lines would otherwise be a run of labels that cuts the body in
    # two, and the second half (items 8-12) would go as what follows the article.
    items = [f"{i}) Model kit number {i}" for i in range(1, 13)]
    body = "<article><h1>Gift ideas</h1>" + article_html(PARAGRAPHS + items) + "</article>"
    result = parse_page(page(body), URL, GENERIC)
    assert result.article.body.split("\n\n") == PARAGRAPHS + items


def test_a_heading_over_short_lines_and_prose_inside_the_text_is_kept():
    # "Meal 1" sits under a link and over a short line, not directly over prose: it still
    # heads a section of the text.
    section = ["Meal 1", "Eat every two hours"]
    html = "<div class='story'>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2])
    html += "<p><a href='/tips'>More meal ideas here</a></p>"
    html += f"<h3>{section[0]}</h3><p>{section[1]}</p>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS[2:]) + "</div>"
    result = parse_page(page(f"<article><h1>Meal plan</h1>{html}</article>"), URL, GENERIC)
    assert result.article.body.split("\n\n") == PARAGRAPHS[:2] + section + PARAGRAPHS[2:]


def test_an_appeal_box_under_its_own_title_after_a_short_article_is_left_out():
    # The appeal holds about a third of the article's prose, more than an untitled box may.
    appeal = "<div class='appeal'><p>Support us</p><p>" + PARAGRAPHS[0] + " Give now to keep it free.</p></div>"
    body = f"<article><h1>Budget talks stall</h1>{article_html()}{appeal}</article>"
    result = parse_page(page(body), URL, GENERIC)
    assert result.article.body.split("\n\n") == PARAGRAPHS


def test_a_run_of_repeated_lines_is_kept_and_a_lone_repeat_goes():
    # The plan for day 2 repeats day 1's lines in a run: the text says them again. A lone
    # line printed twice (a pull quote) and one label stamped twice in a row are kept once.
    plan = [
        "For breakfast, eat two eggs and a slice of toast within an hour of waking up in the morning.",
        "For lunch, a bowl of soup with bread, and a piece of fruit in the afternoon if you are hungry.",
        "For dinner, grilled fish with rice and vegetables, and no snacks after eight in the evening.",
    ]
    label = "Advertisement: read the rest of this story below."
    paras = plan + [PARAGRAPHS[0], label, label, PARAGRAPHS[1]] + plan + PARAGRAPHS[2:] + [PARAGRAPHS[0]]
    body = f"<article><h1>Meal plan</h1>{article_html(paras)}</article>"
    result = parse_page(page(body), URL, GENERIC)
    want = plan + [PARAGRAPHS[0], label, PARAGRAPHS[1]] + plan + PARAGRAPHS[2:]
    assert result.article.body.split("\n\n") == want


def test_a_date_line_over_the_text_is_left_out():
    # Its commas look like a sentence's; a short line holding a year and no sentence end
    # is a date line, while the dashed signature under a quote stays with the quote.
    signature = "— Jane Doe (@janedoe) November 18, 2019"
    paras = ["Published Monday, November 18, 2019 8:22AM EST"] + PARAGRAPHS[:2] + [signature] + PARAGRAPHS[2:]
    body = f"<article><h1>Budget talks stall</h1>{article_html(paras)}</article>"
    result = parse_page(page(body), URL, GENERIC)
    assert result.article.body.split("\n\n") == PARAGRAPHS[:2] + [signature] + PARAGRAPHS[2:]


def test_a_box_after_paragraphs_side_by_side_is_left_out():
    # No child holds most of the text (the paragraphs sit side by side), so the paragraphs'
    # kind stands for the text and the titled box after its last one is an appeal.
    plea = "If you enjoyed this story, join our members: they get every article, no ads, and keep us going."
    appeal = f"<div class='cta'><h4>Something to consider</h4><p>{plea}</p><a href='/join'>Learn more</a></div>"
    body = f"<article><h1>Budget talks stall</h1><div class='story'>{''.join(f'<p>{p}</p>' for p in PARAGRAPHS * 2)}"
    body += f"{appeal}</div></article>"
    result = parse_page(page(body), URL, GENERIC)
    assert result.article.body.split("\n\n") == PARAGRAPHS * 2


def test_a_list_of_half_linked_items_closing_the_body_is_left_out():
    # Each item links only part of its text, so none counts as a link line on its own; a
    # list closing the body whose every item holds a link is other stories all the same.
    items = "".join(f"<li>Story number {i} is here, <a href='/s{i}'>read what happened next</a></li>" for i in range(4))
    body = f"<article><h1>Budget talks stall</h1><div class='story'>{''.join(f'<p>{p}</p>' for p in PARAGRAPHS)}"
    body += f"<ul>{items}</ul></div></article>"
    result = parse_page(page(body), URL, GENERIC)
    assert result.article.body.split("\n\n") == PARAGRAPHS


def test_a_date_line_under_the_standfirst_is_left_out():
    # Between the standfirst and the text it sits between two paragraphs, which would keep
    # a short line; at the head of the body a line with a date (a year and a day or an hour)
    # is the date line all the same.
    paras = PARAGRAPHS[:1] + ["PUBLISHED: 10:48, Tue, Nov 19, 2019 | UPDATED: 11:05"] + PARAGRAPHS[1:]
    body = f"<article><h1>Budget talks stall</h1>{article_html(paras)}</article>"
    result = parse_page(page(body), URL, GENERIC)
    assert result.article.body.split("\n\n") == PARAGRAPHS


def test_a_lead_image_or_link_that_is_no_url_is_left_out():
    # A stray word pasted into a URL ("https://Baca:cdn...") makes a port that is no number.
    head = "<meta property='og:image' content='https://Baca:cdn.example.org/foto.jpg'>"
    body = "<h1>Budget talks stall</h1>" + article_html(PARAGRAPHS + ["<a href='https://x:y.example.org/a'>More</a>"])
    article = parse_page(page(body, head), URL, GENERIC).article
    assert article.image_url is None and article.body.split("\n\n")[:4] == PARAGRAPHS
