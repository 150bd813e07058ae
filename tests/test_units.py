"""Dates, URLs and discovery readers: the pure pieces the parser and spider rely on."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.dates import parse_indonesian, parse_iso
from extract.feeds import read_feed, read_listing, read_sitemap, robots_sitemaps
from extract.published import parse_value
from extract.sites import get_site
from extract.urls import article_ref, resolve, to_fetch, to_origin

MEDCOM = get_site("medcom")

WIB = timezone(timedelta(hours=7))


@pytest.mark.parametrize(
    "text, want",
    [
        ("Marcheilla Ariesta • 19 September 2023 14:30", datetime(2023, 9, 19, 14, 30, tzinfo=WIB)),
        ("Author - 10 November 2021 07:58 WIB", datetime(2021, 11, 10, 7, 58, tzinfo=WIB)),
        ("08 Desember 2021 23:11 wib", datetime(2021, 12, 8, 23, 11, tzinfo=WIB)),
        ("Selasa, 7 Desember 2021 pukul 02.30 WITA", datetime(2021, 12, 7, 2, 30, tzinfo=timezone(timedelta(hours=8)))),
        ("Jum'at, 3 Pebruari 2012 10:00 WIT", datetime(2012, 2, 3, 10, 0, tzinfo=timezone(timedelta(hours=9)))),
        ("1 Agt 2020", datetime(2020, 8, 1, tzinfo=WIB)),
        ("Redaksi - 19/09/2023 14:30 WIB", datetime(2023, 9, 19, 14, 30, tzinfo=WIB)),
        ("Rabu, 20-09-2023, 07.05", datetime(2023, 9, 20, 7, 5, tzinfo=WIB)),
        # the forms of other Indonesian sites (shared/indonesian-sites.md)
        ("Jum'at, 24 Juli 2026 - 13:39 WIB", datetime(2026, 7, 24, 13, 39, tzinfo=WIB)),
        ("Senin, 16 Februari 2026 - 14:38:27 WIB", datetime(2026, 2, 16, 14, 38, 27, tzinfo=WIB)),
        ("Jum’at, 24 Juli 2026 | 07:08 WIB", datetime(2026, 7, 24, 7, 8, tzinfo=WIB)),
        ("Jurnalis-Jum'at, 24 Juli 2026 |15:18 WIB", datetime(2026, 7, 24, 15, 18, tzinfo=WIB)),
        ("Kompas.com - 08/05/2021, 12:59 WIB", datetime(2021, 5, 8, 12, 59, tzinfo=WIB)),
        ("Senin, 07 Sep 2026 16:04 WIB", datetime(2026, 9, 7, 16, 4, tzinfo=WIB)),
        ("Terbit 2 Sep 2025 17:00 WIB", datetime(2025, 9, 2, 17, 0, tzinfo=WIB)),
        ("24 Jul 2026, 16:36 WIB", datetime(2026, 7, 24, 16, 36, tzinfo=WIB)),
        ("21/7/2026 22:42", datetime(2026, 7, 21, 22, 42, tzinfo=WIB)),
        ("24 Juli 2026 | 11.32 WIB", datetime(2026, 7, 24, 11, 32, tzinfo=WIB)),
        ("Jumat, 24 April 2026 – 20:05 WIB", datetime(2026, 4, 24, 20, 5, tzinfo=WIB)),
        ("| Senin, 24 Agustus 2026 / 12:00 wita", datetime(2026, 8, 24, 12, 0, tzinfo=timezone(timedelta(hours=8)))),
        ("Friday, 24 July 2026 09:00 WIB", datetime(2026, 7, 24, 9, 0, tzinfo=WIB)),
        # labels: the published time is the one that is not the update
        (
            "Kompas.com, 17 Desember 2025, 09:46 WIB Diperbarui 17 Desember 2025, 11:00 WIB",
            datetime(2025, 12, 17, 9, 46, tzinfo=WIB),
        ),
        ("Diperbarui: 17 Des 2025 11:00 WIB | Terbit 17 Des 2025 09:46 WIB", datetime(2025, 12, 17, 9, 46, tzinfo=WIB)),
        (
            "Update 5 Agu 2026 10.00 WITA | Tayang: 5 Agu 2026 08.15 WITA",
            datetime(2026, 8, 5, 8, 15, tzinfo=timezone(timedelta(hours=8))),
        ),
        ("Dipublikasikan 5 Agu 2026 08.15 WIB, updated 5 Agu 2026 10.00 WIB", datetime(2026, 8, 5, 8, 15, tzinfo=WIB)),
        # a number after the date is no time
        ("24 Juli 2026, 1.500 orang hadir", datetime(2026, 7, 24, tzinfo=WIB)),
    ],
)
def test_indonesian_dates(text, want):
    got = parse_indonesian(text)
    assert got == want and got.utcoffset() == want.utcoffset()


@pytest.mark.parametrize(
    "text, want, has_seconds",
    [
        # meta values as Indonesian sites write them
        ("24 Juli 2026 | 11.32 WIB", datetime(2026, 7, 24, 11, 32, tzinfo=WIB), False),  # tempo article:published_time
        ("24 April 2026 20:05", datetime(2026, 4, 24, 20, 5), False),  # jpnn, no zone: naive
        ("2026/06/05 20:30:23", datetime(2026, 6, 5, 20, 30, 23), True),  # detik dtk:publishdate
        ("2026-07-24 15:16:40", datetime(2026, 7, 24, 15, 16, 40), True),  # kompas content_PublishedDate
        ("2026-05-13WIB18:45:00+07:00", datetime(2026, 5, 13, 18, 45, tzinfo=WIB), True),  # voi.id JSON-LD
        ("21/7/2026 22:42", datetime(2026, 7, 21, 22, 42), False),  # mediaindonesia
        ("1780659023000", datetime(2026, 6, 5, 11, 30, 23, tzinfo=timezone.utc), True),  # dtk:publishdateunix (ms)
        ("2026-02-16T14:38+07:00", datetime(2026, 2, 16, 14, 38, tzinfo=WIB), False),
    ],
)
def test_metadata_date_values(text, want, has_seconds):
    value, has_time, seconds = parse_value(text)
    assert value == want and (value.utcoffset() == want.utcoffset()) and has_time and seconds == has_seconds


def test_a_metadata_value_with_text_around_its_date_is_no_date():
    assert parse_value("Berita 24 Juli 2026, halaman 2") is None
    assert parse_value("24 Juli 2026 dan 25 Juli 2026") is None


def test_bad_dates_are_none():
    assert parse_indonesian("31 Februari 2023 10:00") is None
    assert parse_indonesian("no date here") is None
    assert parse_indonesian("Diperbarui 17 Des 2025 11:00 WIB") is None  # an update time only
    assert parse_iso("2023-09-19T14:30:00") == datetime(2023, 9, 19, 14, 30, tzinfo=WIB)
    assert parse_iso("garbage") is None


@pytest.mark.parametrize(
    "url",
    [
        "https://www.medcom.id/nasional/politik/nbwXaLxk-judul-berita",
        "https://m.medcom.id/nasional/politik/nbwXaLxk-judul-berita?utm_source=hot_issue&utm_medium=terkait",
        "https://www.medcom.id/amp/nasional/politik/nbwXaLxk-judul-berita",
        "https://www.medcom.id/nasional/politik/nbwXaLxk-judul-berita/?p=all#komentar",
        "HTTPS://WWW.MEDCOM.ID/nasional/politik/nbwXaLxk-judul-berita",
        "http://127.0.0.1:8000/nasional/politik/nbwXaLxk-judul-berita?utm_campaign=x",
    ],
)
def test_every_form_of_an_article_url_is_one_identity(url):
    ref = article_ref(url, MEDCOM, mirror="http://127.0.0.1:8000")
    assert ref.article_id == "nbwXaLxk"
    assert ref.url == "https://www.medcom.id/nasional/politik/nbwXaLxk-judul-berita"
    assert (ref.channel, ref.subchannel) == ("nasional", "politik")


@pytest.mark.parametrize(
    "url",
    [
        "https://video.medcom.id/sorotan/nbwXaLxk-klip",
        "https://www.medcom.id/video/sorotan/nbwXaLxk-klip",
        "https://www.medcom.id/tag/pemilu",
        "https://www.medcom.id/indeks/2023/09/19",
        "https://example.org/nasional/politik/nbwXaLxk-judul",
    ],
)
def test_non_articles_have_no_identity(url):
    assert article_ref(url, MEDCOM) is None


@settings(max_examples=300, deadline=None)
@given(
    base=st.sampled_from(
        [
            "http://127.0.0.1:8000/indeks/2026/11/20?page=2",
            "https://www.medcom.id/a/b/c",
            "https://u@m.medcom.id:8443/x?y#z",
        ]
    ),
    href=st.text(alphabet="/.:?#=&%ab-_ \\", min_size=1, max_size=12).map(lambda t: "/" + t),
)
def test_a_root_relative_link_resolves_as_urljoin_would(base, href):
    """Listings' links are resolved without urljoin when they are root-relative: same answer."""
    expected = urljoin(base, href.strip())
    assert resolve(base, href) == (expected if expected.startswith(("http://", "https://")) else None)


def test_mirror_mapping_round_trips():
    mirror = "http://127.0.0.1:8000"
    assert to_fetch("https://www.medcom.id/rss", MEDCOM, mirror) == ("http://127.0.0.1:8000/rss", "www.medcom.id")
    assert (
        to_origin("http://127.0.0.1:8000/indeks/2023/09/19?page=2", MEDCOM, mirror)
        == "https://www.medcom.id/indeks/2023/09/19?page=2"
    )
    assert to_fetch("https://cdn.example.org/x.jpg", MEDCOM, mirror) == ("https://cdn.example.org/x.jpg", None)


def test_discovery_readers():
    assert robots_sitemaps("User-agent: *\nSitemap: https://www.medcom.id/sitemap.xml\n") == [
        "https://www.medcom.id/sitemap.xml"
    ]
    kind, entries, _ = read_sitemap(
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://a/b</loc>'
        b"<news:news><news:publication_date>2023-09-19T14:30:00+07:00</news:publication_date>"
        b"</news:news></url></urlset>"
    )
    assert kind == "urlset" and entries[0].published == datetime(2023, 9, 19, 14, 30, tzinfo=WIB)
    assert read_sitemap(b"<html>not xml")[0] == "invalid"


def test_a_gzip_sitemap_is_read_up_to_the_cap_and_says_it_was_cut():
    import gzip

    urlset = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + b"".join(
        b"<url><loc>https://www.medcom.id/a/b/id%06d-x</loc></url>" % i for i in range(1000)
    )
    whole = read_sitemap(gzip.compress(urlset + b"</urlset>"), max_bytes=1_000_000)
    assert whole.kind == "urlset" and len(whole.entries) == 1000 and not whole.cut
    cut = read_sitemap(gzip.compress(urlset + b"</urlset>"), max_bytes=10_000)
    assert cut.kind == "urlset" and cut.cut
    assert 100 < len(cut.entries) < 1000, "the beginning is still read"
    assert read_sitemap(gzip.compress(urlset + b"</urlset>"), max_bytes=0) == whole, "0: the protocol's cap"
    halves = gzip.compress(urlset[:30_000]) + gzip.compress(urlset[30_000:] + b"</urlset>")
    assert read_sitemap(halves) == whole, "a file of two gzip members is read whole"
    compressed = gzip.compress(urlset + b"</urlset>")
    broken = read_sitemap(compressed[: len(compressed) // 2])
    assert broken.kind == "urlset" and 100 < len(broken.entries) < 1000, "a truncated file: its beginning stands"
    feed = read_feed(
        b"<rss><channel><item><link>https://a/b?utm_source=rss</link>"
        b"<pubDate>Tue, 19 Sep 2023 14:30:00 +0700</pubDate></item></channel></rss>"
    )
    assert feed[0].url == "https://a/b?utm_source=rss" and feed[0].published.hour == 14
    links, nxt = read_listing(
        b'<html><head><link rel="next" href="?page=2"></head><body><a href="/x">x</a></body></html>'
    )
    assert links == ["/x"] and nxt == "?page=2"


def _clean(*texts):
    from extract.blocks import Block
    from extract.text import clean_blocks

    return clean_blocks([Block(t) for t in texts], MEDCOM)


def test_editor_code_printed_after_the_google_news_line_is_kept():
    result = _clean("Isi berita pertama.", "Cek Berita dan Artikel yang lain di Google News (WIL)")
    assert result.paragraphs == ["Isi berita pertama."] and result.editor == "WIL"


def test_an_acronym_ending_the_last_paragraph_is_not_an_editor_code():
    result = _clean("Data dirilis oleh Badan Pusat Statistik (BPS)")
    assert result.editor is None and result.paragraphs == ["Data dirilis oleh Badan Pusat Statistik (BPS)"]
    assert _clean("Harga naik tajam. (SAW)").editor == "SAW"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
        | st.sampled_from(["Lavrov’s “kunjungan” — resmi…", "Rp1.500,00 (WIL)", "İstanbul café_2"]),
        max_size=6,
    )
)
def test_paragraph_keys_and_the_body_hash_agree_with_the_word_regex(texts):
    """The fast key paths must equal the definition: stored hashes and seen-stores depend on it."""
    from extract.blocks import Block, word_key
    from extract.text import blocks_hash, content_hash

    for text in texts:
        assert word_key(text) == " ".join(re.findall(r"\w+", text.lower()))
    assert blocks_hash([Block(t) for t in texts]) == content_hash("\n\n".join(texts))


def test_structural_removals_are_logged_once_by_rule_and_leave_the_text_around_them():
    from extract.parse import parse_page

    html = (
        b"<html><head><title>t</title></head><body><h1>Judul berita</h1><div id='articleBody'>"
        b"<p><strong>Jakarta:</strong> Kalimat pertama berita ini.</p>"
        b"<figure class='pic'><img alt='Ilustrasi gedung baru. Medcom.id'>"
        b"<figcaption>Ilustrasi gedung baru. Medcom.id</figcaption></figure>tail text stays"
        b"<div class='ads'><script>googletag.display('x')</script></div>"
        b"<div class='share-box'>Bagikan ke teman</div><p>Kalimat kedua.</p></div></body></html>"
    )
    result = parse_page(html, "https://www.medcom.id/nasional/umum/Abcd1234-judul", MEDCOM)
    assert result.removed.count(("caption", "Ilustrasi gedung baru. Medcom.id")) == 1
    assert ("share_buttons", "Bagikan ke teman") in result.removed
    assert not [r for r in result.removed if "googletag" in r[1]], "an ad slot is not logged by its code"
    assert result.article.body == "Kalimat pertama berita ini.\n\ntail text stays\n\nKalimat kedua."


def test_paragraphs_under_an_anchor_left_open_are_kept():
    """Broken markup: an unclosed <a> wraps whole paragraphs; they are text, not a link list."""
    from extract.parse import parse_page

    html = (
        b"<html><body><h1>Judul berita</h1><div id='articleBody'><p>Kalimat pertama berita ini.</p>"
        b"<p><a href='/x'>Paragraf kedua yang penting sekali.<br><br>Paragraf ketiga juga.</p>"
        b"<ul><li><a href='/a'>Navigasi satu</a></li><li><a href='/b'>Navigasi dua</a></li></ul></div></body></html>"
    )
    result = parse_page(html, "https://www.medcom.id/nasional/umum/Abcd1234-judul", MEDCOM)
    assert result.article.body == (
        "Kalimat pertama berita ini.\n\nParagraf kedua yang penting sekali.\n\nParagraf ketiga juga."
    )
    assert ("link_list", "Navigasi satu") in result.removed
