"""Article ids and channels of pages without a site profile (issue 27): the URL's own id by its
shape, distinct for distinct articles, and a channel that is never a URL verb."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.channels import from_breadcrumb, from_path, slug
from extract.ids import SHAPES, base_domain, host_key
from extract.parse import parse_page
from extract.sites.profile import GENERIC
from extract.urls import article_ref

# One URL per shape of extract.ids.SHAPES (every shape must be here), its id and shape.
SHAPE_CASES = [
    (
        "http://news.detik.com/read/2012/05/01/123456/1905000/10/judul",
        "news.detik.com:20120501-1905000",
        "dated_time_id_section",
    ),
    (
        "https://news.okezone.com/read/2026/07/24/337/3012345/google-luncurkan",
        "news.okezone.com:20260724-3012345",
        "dated_section_id",
    ),
    (
        "https://www.suara.com/news/2026/07/24/070800/judul-berita",
        "suara.com:20260724070800-" + hashlib.sha1(b"judul-berita").hexdigest()[:8],
        "dated_time_slug",
    ),
    (
        "https://nasional.kompas.com/read/2016/02/14/09362021/Menteri.Susi.Bicara",
        "nasional.kompas.com:20160214-09362021",
        "dated_number",
    ),
    ("https://www.tempo.co/read/news/2016/02/14/123456789/Judul-Berita", "tempo.co:20160214-123456789", "dated_number"),
    (
        "https://www.cnnindonesia.com/nasional/20260724101530-20-1234567/jokowi-resmikan",
        "cnnindonesia.com:20260724101530-20-1234567",
        "timestamp_channel_id",
    ),
    ("https://news.detik.com/berita/d-7712345/jelang-pemilu", "news.detik.com:7712345", "detik"),
    (
        "https://market.bisnis.com/read/20251114/12/1234567/judul",
        "market.bisnis.com:20251114-1234567",
        "read_date_category_id",
    ),
    ("https://www.liputan6.com/news/read/6123456/google-indonesia", "liputan6.com:6123456", "read_number"),
    ("https://www.grid.id/read/044391263/judul-berita?page=all", "grid.id:044391263", "read_number"),
    (
        "https://nasional.sindonews.com/read/1234567/12/judul-1718096783/5",
        "nasional.sindonews.com:1234567",
        "read_number",
    ),
    ("https://www.viva.co.id/berita/nasional/1234567-judul-berita", "viva.co.id:1234567", "number_slug"),
    ("https://www.antaranews.com/berita/4123456/menteri-katakan", "antaranews.com:4123456", "number_segment"),
    ("https://www.jawapos.com/nasional/2607240123/judul-berita", "jawapos.com:2607240123", "number_segment"),
    ("https://katadata.co.id/berita/nasional/66a1dc20b49c6/judul", "katadata.co.id:66a1dc20b49c6", "hex_segment"),
    ("https://news.republika.co.id/berita//qwjyx4430/judul-berita", "news.republika.co.id:qwjyx4430", "berita_code"),
    (
        "https://www.republika.co.id/berita/nasional/politik/14/05/03/n4xyz1-judul-berita",
        "republika.co.id:n4xyz1",
        "short_dated_code_prefix",
    ),
    ("https://example.co.id/nasional/s5k2xq430/judul-berita", "example.co.id:s5k2xq430", "code_segment"),
    ("https://kumparan.com/kumparannews/judul-berita-27abcDEFghi", "kumparan.com:27abcDEFghi", "code11_suffix"),
    (
        "https://www.idntimes.com/news/indonesia/judul-berita-00-abcde-fghijk",
        "idntimes.com:abcde-fghijk",
        "code5_code6_suffix",
    ),
    ("https://tirto.id/apa-itu-sesuatu-gAbc", "tirto.id:gAbc", "code4_suffix"),
    ("https://www.kapanlagi.com/showbiz/selebriti/judul-berita-1a2b3c.html", "kapanlagi.com:1a2b3c", "hex_html_suffix"),
    ("https://www.tempo.co/politik/judul-berita-2012345", "tempo.co:2012345", "number_suffix"),
    ("https://www.merdeka.com/peristiwa/judul-berita-1234567-mvk.html", "merdeka.com:1234567", "number_suffix"),
    ("https://m.medcom.id/nasional/politik/nbwXaLxk-judul?utm_source=x", "medcom.id:nbwXaLxk", "code8_prefix"),
    ("https://www.metrotvnews.com/read/KzoC7gWq-judul-berita", "metrotvnews.com:KzoC7gWq", "code8_prefix"),
    ("https://warta-lokal.example/?p=4521&utm_source=fb", "warta-lokal.example:4521", "query"),
]


def test_every_shape_has_a_case():
    assert {s.name for s in SHAPES} <= {shape for _url, _id, shape in SHAPE_CASES}


@pytest.mark.parametrize("url, want, shape", SHAPE_CASES, ids=[c[2] + ":" + c[0].split("/")[2] for c in SHAPE_CASES])
def test_the_id_is_the_urls_own(url, want, shape):
    ref = article_ref(url, GENERIC)
    assert (ref.article_id, ref.shape) == (want, shape)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.jpnn.com/news/judul-berita-saja",  # no id in the URL at all
        "https://www.inews.id/news/nasional/harga-beras-naik",
        "https://www.kompas.id/baca/opini/2026/07/24/judul-opini",
        "https://bali.tribunnews.com/2026/07/24/judul-berita",
        "https://warta-lokal.example/2026/07/24/judul-berita/",
        # words that look like codes: a year, a 4-letter word, an 8-letter word, a date
        "https://example.co.id/berita/pemilu-2026",
        "https://example.co.id/berita/harga-beras-naik",
        "https://example.co.id/berita/presiden-resmikan-bendungan",
        "https://example.co.id/berita/20260724/judul",
        "https://example.co.id/covid19/vaksin-booster-tersedia",
        "https://example.co.id/pemilu2024/hasil-hitung-cepat",
        "https://example.co.id/berita/nasional/14/05/03/presiden-resmikan-bendungan",
        "https://example.co.id/berita/judul-rapat-harga-beras",
    ],
)
def test_a_url_without_an_id_gets_a_hash_of_its_host_and_path(url):
    ref = article_ref(url, GENERIC)
    host = url.split("/")[2]
    path = "/" + url.split("/", 3)[3].rstrip("/")
    assert ref.shape is None
    assert ref.article_id == f"{host_key(host)}:{hashlib.sha1(f'{host_key(host)}{path}'.encode()).hexdigest()[:16]}"


def test_the_issues_two_detik_articles_are_two_ids():
    a = article_ref("https://news.detik.com/berita/d-7712345/jelang-pemilu-kpu-siapkan", GENERIC)
    b = article_ref("https://news.detik.com/berita/d-7712346/jelang-pemilu-kpu-siapkan", GENERIC)
    assert a.article_id != b.article_id and "7712345" in a.article_id and "7712346" in b.article_id


def test_one_article_under_its_other_urls_keeps_its_id():
    urls = [
        "https://news.detik.com/berita/d-7712345/jelang-pemilu",
        "http://news.detik.com/berita/d-7712345/jelang-pemilu/?utm_source=wa#komentar",
        "https://news.detik.com/amp/berita/d-7712345/jelang-pemilu",
        "https://news.detik.com/berita/d-7712345/jelang-pemilu-kpu-siapkan-revisi-judul",
    ]
    assert {article_ref(u, GENERIC).article_id for u in urls} == {"news.detik.com:7712345"}
    www = article_ref("https://www.jpnn.com/news/judul", GENERIC).article_id
    assert article_ref("https://m.jpnn.com/news/judul/", GENERIC).article_id == www


def test_host_keys_and_base_domains():
    assert host_key("WWW.Kompas.com") == "kompas.com" and host_key("m.detik.com") == "detik.com"
    assert host_key("nasional.kompas.com") == "nasional.kompas.com" and host_key("m.id") == "m.id"
    assert base_domain("news.republika.co.id") == "republika.co.id"
    assert base_domain("nasional.kompas.com") == "kompas.com" and base_domain("tirto.id") == "tirto.id"


# Each site's URL shape with its id parts drawn at random: distinct id parts must give
# distinct ids (slugs only matter where the slug is part of the identity).
_WORDS = ["jelang", "pemilu", "harga", "beras", "naik", "2026", "kpu", "di", "ab12", "h5n1", "50000", "rupiah"]
# a slug starts with a word; any word may follow, numbers and word-like codes too
_SLUG = st.tuples(st.sampled_from(_WORDS[:5]), st.lists(st.sampled_from(_WORDS), max_size=5)).map(
    lambda t: "-".join([t[0], *t[1]])
)
_NUM = st.integers(min_value=10000, max_value=99_999_999)
_CODE = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=4, max_size=4)
_DAY = st.dates(min_value=date(1995, 1, 1), max_value=date(2090, 12, 31))
SITES = {
    "detik": (st.tuples(_NUM, _SLUG), lambda n, s: f"https://news.detik.com/berita/d-{n}/{s}", lambda n, s: n),
    "kompas": (
        st.tuples(_DAY, st.integers(10_000_000, 235_959_999), _SLUG),
        lambda d, n, s: f"https://nasional.kompas.com/read/{d:%Y/%m/%d}/{n}/{s}",
        lambda d, n, s: (d, n),
    ),
    "okezone": (
        st.tuples(_DAY, st.integers(1, 999), _NUM, _SLUG),
        lambda d, sec, n, s: f"https://news.okezone.com/read/{d:%Y/%m/%d}/{sec}/{n}/{s}",
        lambda d, sec, n, s: (d, n),
    ),
    "suara": (
        st.tuples(_DAY, st.integers(0, 235959), _SLUG.map(lambda s: "x-" + s)),
        lambda d, t, s: f"https://www.suara.com/news/{d:%Y/%m/%d}/{t:06d}/{s}",
        lambda d, t, s: (d, t, s),
    ),
    "cnn": (
        st.tuples(_DAY, st.integers(1, 99), _NUM, _SLUG),
        lambda d, k, n, s: f"https://www.cnnindonesia.com/nasional/{d:%Y%m%d}101530-{k}-{n}/{s}",
        lambda d, k, n, s: (d, k, n),
    ),
    "liputan6": (st.tuples(_NUM, _SLUG), lambda n, s: f"https://www.liputan6.com/news/read/{n}/{s}", lambda n, s: n),
    "tempo": (
        st.tuples(_NUM.filter(lambda n: n >= 100000), _SLUG),
        lambda n, s: f"https://www.tempo.co/politik/{s}-{n}",
        lambda n, s: n,
    ),
    "tirto": (
        st.tuples(_CODE.filter(lambda c: any(ch.isupper() for ch in c)), _SLUG),
        lambda c, s: f"https://tirto.id/{s}-{c}",
        lambda c, s: c,
    ),
    "antara": (st.tuples(_NUM, _SLUG), lambda n, s: f"https://www.antaranews.com/berita/{n}/{s}", lambda n, s: n),
    "jpnn": (st.tuples(_SLUG), lambda s: f"https://www.jpnn.com/news/{s}", lambda s: s),
}


@pytest.mark.parametrize("site", sorted(SITES))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_distinct_articles_of_a_site_never_share_an_id(site, data):
    parts, make_url, identity = SITES[site]
    drawn = data.draw(st.lists(parts, min_size=2, max_size=12))
    ids = {}
    for args in drawn:
        ref = article_ref(make_url(*args), GENERIC)
        ids.setdefault(ref.article_id, set()).add(identity(*args))
    assert all(len(owners) == 1 for owners in ids.values()), ids
    assert len(ids) == len({identity(*args) for args in drawn})


@pytest.mark.parametrize(
    "url, want",
    [
        ("https://nasional.kompas.com/read/2016/02/14/09362021/Menteri.Susi", ("nasional", None)),
        ("https://www.kompas.com/tren/read/2026/07/24/133007110/judul", ("tren", None)),
        ("https://news.okezone.com/read/2026/07/24/337/3012345/judul", ("news", None)),
        ("https://www.liputan6.com/news/read/6123456/judul", ("news", None)),
        ("https://nasional.tempo.co/read/1234567/judul", ("nasional", None)),
        ("https://www.tempo.co/politik/judul-berita-2012345", ("politik", None)),
        ("https://news.detik.com/berita/d-7712345/judul", ("news", None)),  # `berita` before the id
        ("https://sport.detik.com/sepakbola/liga-inggris/d-7712345/judul", ("sepakbola", "liga-inggris")),
        ("https://www.antaranews.com/berita/4123456/judul", (None, None)),
        ("https://www.suara.com/news/2026/07/24/070800/judul", ("news", None)),  # a date follows, not the id
        ("https://kumparan.com/kumparannews/judul-berita-27abcDEFghi", ("kumparannews", None)),
        ("https://www.idntimes.com/news/indonesia/judul-00-abcde-fghij1", ("news", "indonesia")),
        ("https://www.jpnn.com/news/judul-berita", (None, None)),  # the slug is the identity
        ("https://nasional.kontan.co.id/news/judul-berita", ("nasional", None)),
        ("https://www.inews.id/news/nasional/judul-berita", ("news", "nasional")),
        ("https://www.medcom.id/amp/nasional/politik/nbwXaLxk-judul", ("nasional", "politik")),
    ],
)
def test_the_channel_from_the_url_is_never_a_verb(url, want):
    ref = article_ref(url, GENERIC)
    assert (ref.channel, ref.subchannel) == want
    assert ref.channel not in ("read", "baca", "detail", "amp", "index")


def test_path_segments_before_the_id():
    assert from_path("/read/2016/02/14/09362021/Slug", 5) == []
    assert from_path("/berita/nasional/judul", None) == ["berita", "nasional"]
    assert from_path("/berita/judul", None) == []
    assert from_path("/index.php/detail/amp/berita/123456/judul", 33) == []


def test_a_breadcrumb_gives_the_sections_without_home_site_or_headline():
    title = "Jokowi Resmikan Tol Baru di Jawa Tengah"
    items = [("Home", "/"), ("Nasional", "/nasional"), ("Hukum & Kriminal", "/hukum"), (title, None)]
    assert from_breadcrumb(items, title, {"cnnindonesia"}) == ["nasional", "hukum-kriminal"]
    assert from_breadcrumb([("Kompas.com", "/"), ("Nasional", "/")], title, {"kompas"}) == ["nasional"]
    long = [("Beranda", "/"), ("Berita Terkini Hari Ini Dari Seluruh Daerah Indonesia", None)]
    assert from_breadcrumb(long, title, set()) == []
    assert slug("Gaya  Hidup") == "gaya-hidup"


PARAS = "".join(
    f"<p>Paragraf ke-{i} berisi kalimat yang cukup panjang untuk dibaca sebagai teks berita oleh pengurai ini.</p>"
    for i in range(5)
)


def _page(head: str = "", before: str = "") -> str:
    return f"<html lang='id'><head>{head}</head><body>{before}<h1>Judul Berita Hari Ini</h1><article>{PARAS}</article></body></html>"


def test_the_breadcrumb_beats_the_url_and_the_url_beats_nothing():
    crumbs = (
        '<script type="application/ld+json">{"@type": "BreadcrumbList", "itemListElement": ['
        '{"@type": "ListItem", "position": 2, "name": "Ekonomi", "item": {"@id": "https://x.co.id/ekonomi"}},'
        '{"@type": "ListItem", "position": 1, "name": "Beranda", "item": "https://x.co.id/"}]}</script>'
    )
    url = "https://www.liputan6.com/news/read/6123456/judul"
    with_ld = parse_page(_page(crumbs), url, GENERIC)
    assert (with_ld.article.channel, with_ld.sources["channel"]) == ("ekonomi", "jsonld:BreadcrumbList")
    nav = (
        "<nav aria-label='breadcrumb'><ol><li><a href='/'>Home</a></li><li><a href='/bisnis'>Bisnis</a></li></ol></nav>"
    )
    with_nav = parse_page(_page(before=nav), url, GENERIC)
    assert (with_nav.article.channel, with_nav.sources["channel"]) == ("bisnis", "html:breadcrumb")
    plain = parse_page(_page(), url, GENERIC)
    assert (plain.article.channel, plain.sources["channel"]) == ("news", "url:path")


def test_a_mobile_page_takes_its_canonical_urls_identity():
    head = "<link rel='canonical' href='https://news.detik.com/berita/d-7712345/judul-berita'>"
    result = parse_page(_page(head), "https://m.detik.com/news/berita/d-7712345/judul-berita", GENERIC)
    assert result.article.article_id == "news.detik.com:7712345"
    assert result.article.url == "https://news.detik.com/berita/d-7712345/judul-berita"


def test_a_canonical_link_to_another_site_or_a_home_page_is_not_the_articles():
    for canonical in ("https://www.example.org/berita/d-7712345/judul", "https://news.detik.com/"):
        head = f"<link rel='canonical' href='{canonical}'>"
        result = parse_page(_page(head), "https://news.detik.com/berita/d-7712345/judul", GENERIC)
        assert result.article.article_id == "news.detik.com:7712345", canonical


def test_a_microdata_breadcrumb_names_the_channel():
    trail = (
        "<ol itemscope itemtype='https://schema.org/BreadcrumbList'>"
        "<li itemprop='itemListElement' itemscope><a href='/'>Beranda</a></li>"
        "<li itemprop='itemListElement' itemscope><a href='/olahraga'>Olahraga</a></li>"
        "<li itemprop='itemListElement' itemscope><a href='/olahraga/bola'>Sepak Bola</a></li></ol>"
    )
    result = parse_page(_page(before=trail), "https://www.liputan6.com/news/read/6123456/judul", GENERIC)
    assert (result.article.channel, result.article.subchannel) == ("olahraga", "sepak-bola")


def test_the_query_names_the_page_of_a_url_without_an_id():
    a = article_ref("https://pemkab.example.go.id/berita.php?kode=abc&utm_source=wa", GENERIC)
    b = article_ref("https://pemkab.example.go.id/berita.php?kode=def", GENERIC)
    assert a.article_id != b.article_id and a.url == "https://pemkab.example.go.id/berita.php?kode=abc"
    paged = article_ref("https://www.jpnn.com/news/judul?page=2&amp=1", GENERIC)
    assert paged.article_id == article_ref("https://www.jpnn.com/news/judul", GENERIC).article_id
    joomla = article_ref(
        "https://x.example.go.id/index.php?option=com_content&view=article&id=123:judul&Itemid=5", GENERIC
    )
    assert (joomla.article_id, joomla.shape) == ("x.example.go.id:123", "query")
