"""The headline of a page without a profile, on small made-up pages: one rule a test (see
extract/titles.py and headings.py)."""

from __future__ import annotations

import html
import json

from extract.parse import parse_page
from extract.sites.profile import GENERIC

URL = "https://news.example.org/world/2024/05/03/some-story-123456"
STORY = "".join(
    f"<p>{p}</p>"
    for p in (
        "The council met on Tuesday evening to discuss the new budget, which had been delayed twice.",
        "Members argued for hours about the cost of repairing the old bridge, and no vote was taken.",
        "A decision is now expected next month, after a public consultation has been held in town.",
    )
)


def title(body: str, og: str | None = None, headline: str | None = None, head: str = "", url: str = URL) -> str:
    if og is not None:
        head += f'<meta property="og:title" content="{html.escape(og)}">'
    if headline is not None:
        head += (
            f"<script type='application/ld+json'>{json.dumps({'@type': 'NewsArticle', 'headline': headline})}</script>"
        )
    doc = f"<html><head>{head}</head><body>{body}<div class='story'>{STORY}</div></body></html>"
    return parse_page(doc, url, GENERIC).article.title


def test_the_breadcrumbs_h1_gives_way_to_the_headline_the_reader_sees():
    crumbs = "<nav><a href='/'>Home</a> <a href='/world'>World</a> <h1>Council budget talks: what we know</h1></nav>"
    header = "<article><header><h2>Budget talks stall again</h2></header></article>"
    assert title(crumbs + header, og="Council budget talks: what we know", headline="Budget talks stall again") == (
        "Budget talks stall again"
    )


def test_a_trail_of_links_from_home_is_a_breadcrumb_even_unnamed():
    trail = "<section><div><a href='/'>News</a> | <a href='/world'>World</a> |</div><h1>Seo title of the story</h1></section>"
    body = trail + "<header><h2>Budget talks stall again</h2></header>"
    assert title(body, og="Budget talks stall again", headline="Seo title of the story") == "Budget talks stall again"


def test_topic_links_before_the_h1_do_not_make_it_a_breadcrumb():
    body = "<div><a href='/live'>LIVE</a> <a href='/topics/budget'>Budget</a></div><h1>Budget talks stall</h1>"
    body += "<h2>Budget talks stall again</h2>"
    assert title(body, og="Budget talks stall again", headline="Budget talks stall") == "Budget talks stall"


def test_a_kicker_element_in_the_heading_is_not_part_of_the_headline():
    h2 = "<h2><span class='kicker'>Town hall</span><span class='headline'>Budget talks stall again</span></h2>"
    assert title(h2, og="Budget talks stall again", headline="Town hall: Budget talks stall again") == (
        "Budget talks stall again"
    )


def test_the_metadata_that_spells_kicker_and_headline_as_the_page_shows_them_wins():
    h1 = "<h1><span>Town hall</span>Budget talks stall again</h1>"  # no space between the two
    assert title(h1, og="Town hall / Budget talks stall again") == "Town hall / Budget talks stall again"


def test_a_headline_with_another_lead_in_in_the_metadata_is_the_headline_behind_the_kicker():
    h1 = "<h1><span>Town hall</span><span> - </span><span>«Budget talks stall again»</span></h1>"
    assert title(h1, og="Council crisis: «Budget talks stall again»") == "«Budget talks stall again»"


def test_og_title_before_the_json_ld_headline_when_both_are_the_heading():
    # JSON-LD often carries the HTML entities of its CMS; og:title is the publisher's plain text
    h1 = "<h1>Mayor’s ‘plan’ fails</h1>"
    assert title(h1, og="Mayor's 'plan' fails", headline="Mayor&#8217;s &#8216;plan&#8217; fails") == (
        "Mayor's 'plan' fails"
    )


def test_without_a_heading_that_agrees_the_json_ld_headline_comes_first():
    h1 = "<h1>Something else entirely on this page</h1>"
    assert title(h1, og="Short social title", headline="Budget talks stall again") == "Budget talks stall again"


def test_soft_hyphens_and_word_joiners_are_not_kept():
    h1 = "<h1>Haushalts\u00adgespräche stocken \u2060– wieder</h1>"
    assert title(h1, og="Haushalts\u00adgespräche stocken – wieder") == "Haushaltsgespräche stocken – wieder"


def test_the_host_name_with_its_domain_is_a_site_name():
    head = "<title>Budget talks stall again | ABC.DE</title>"  # "abc" alone is too short to trust
    assert title("<p>No heading here</p>", head=head, url="https://www.abc.de/politik/story-123.html") == (
        "Budget talks stall again"
    )
