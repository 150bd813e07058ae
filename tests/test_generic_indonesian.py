"""Indonesian pages of sites without a profile (issue 27), one rule a test: the publication
time from metadata and byline together, datelines, editor codes and "Baca juga" boxes.
The whole pages are in tests/fixtures/generic/ (tests/test_parse_fixtures.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from extract.blocks import Block
from extract.parse import parse_page
from extract.sites.profile import GENERIC
from extract.text import clean_blocks, take_dateline

WIB = timezone(timedelta(hours=7))
WITA = timezone(timedelta(hours=8))
URL = "https://www.contoh-berita.co.id/nasional/123456/judul-berita-hari-ini"
PARAGRAPHS = [
    "Pemerintah daerah mengumumkan rencana perbaikan jalan provinsi yang rusak akibat banjir pada awal bulan ini.",
    "Kepala dinas mengatakan pengerjaan akan dimulai pekan depan dan ditargetkan selesai sebelum akhir tahun anggaran.",
    "Warga berharap perbaikan dilakukan dengan kualitas yang baik agar jalan tidak kembali rusak saat musim hujan tiba.",
    "Anggaran perbaikan berasal dari dana cadangan yang disetujui dewan dalam rapat paripurna pada Selasa lalu.",
]


def page(head: str = "", byline: str = "", paragraphs=PARAGRAPHS, after: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html lang='id'><head><title>Judul Berita Hari Ini</title>{head}</head><body>"
        f"<h1>Judul Berita Hari Ini</h1>{byline}<div class='isi'>{body}{after}</div></body></html>"
    )


def ld(published: str) -> str:
    return f'<script type="application/ld+json">{{"@type": "NewsArticle", "datePublished": "{published}"}}</script>'


def published(html: str):
    result = parse_page(html, URL, GENERIC)
    return result.article.published_at, result.sources.get("published_at")


def test_the_byline_lends_its_seconds_to_a_metadata_time_without_them():
    value, source = published(
        page(ld("2026-02-16T14:38+07:00"), "<div class='tgl'>Senin, 16 Februari 2026 - 14:38:27 WIB</div>")
    )
    assert value == datetime(2026, 2, 16, 14, 38, 27, tzinfo=WIB) and source == "jsonld:datePublished"


def test_the_metadatas_seconds_stay_when_the_byline_has_none():
    value, _ = published(page(ld("2026-07-24T15:16:40+07:00"), "<div class='tgl'>Jum'at, 24 Juli 2026 15:16 WIB</div>"))
    assert value == datetime(2026, 7, 24, 15, 16, 40, tzinfo=WIB)


def test_a_time_at_zero_seconds_takes_the_seconds_another_source_names():
    head = ld("2026-07-24T13:30:00+07:00") + "<meta name='content_PublishedDate' content='2026-07-24 13:30:07'>"
    value, _ = published(page(head))
    assert value == datetime(2026, 7, 24, 13, 30, 7, tzinfo=WIB)


def test_a_naive_custom_meta_takes_the_seconds_the_iso_meta_lacks():
    head = "<meta property='article:published_time' content='2026-06-05T20:30+07:00'>"
    head += "<meta name='dtk:publishdate' content='2026/06/05 20:30:23'>"
    value, _ = published(page(head))
    assert value == datetime(2026, 6, 5, 20, 30, 23, tzinfo=WIB)


def test_a_date_alone_never_hides_the_time_the_page_prints():
    value, source = published(page(ld("2026-07-21"), "<div class='datetime'>21/7/2026 22:42</div>"))
    assert value == datetime(2026, 7, 21, 22, 42, tzinfo=WIB) and source.startswith("scan:")


def test_a_naive_metadata_time_takes_the_zone_the_byline_prints():
    value, _ = published(
        page(ld("2026-07-24T12:40:18"), "<div class='grey'>Tayang: Jumat, 24 Juli 2026 12:40 WITA</div>")
    )
    assert value == datetime(2026, 7, 24, 12, 40, 18, tzinfo=WITA) and value.utcoffset() == timedelta(hours=8)


def test_a_local_time_labelled_utc_takes_the_printed_zone_and_a_real_utc_time_stays():
    byline = "<div class='tgl'>24 Juli 2026 15:36 WIB</div>"
    fake, _ = published(page(ld("2026-07-24T15:36:12Z"), byline))
    assert fake == datetime(2026, 7, 24, 15, 36, 12, tzinfo=WIB)
    real, _ = published(page(ld("2026-07-24T08:36:12Z"), byline))
    assert real == datetime(2026, 7, 24, 8, 36, 12, tzinfo=timezone.utc) and real.utcoffset() == timedelta(0)


def test_the_update_time_is_not_the_publication_time():
    byline = "<div class='tgl'>Diperbarui 24 Juli 2026, 15:02 WIB</div><div class='tgl2'>Kompas.com, 24 Juli 2026, 13:30 WIB</div>"
    result = parse_page(page(byline=byline), URL, GENERIC)
    assert result.article.published_at == datetime(2026, 7, 24, 13, 30, tzinfo=WIB)
    assert result.article.published_raw == "24 Juli 2026, 13:30 WIB"


@pytest.mark.parametrize(
    "meta",
    [
        "<meta property='article:published_time' content='24 Juli 2026 | 11.32 WIB'>",  # tempo
        "<meta name='jpnncom_news_pubdate' content='24 Juli 2026 11:32'>",  # jpnn
        "<meta name='content_PublishedDate' content='2026-07-24 11:32:00'>",  # kompas
        ld("2026-07-24WIB11:32:00+07:00"),  # voi.id
    ],
)
def test_indonesian_metadata_forms_are_read(meta):
    value, _ = published(page(meta))
    assert value == datetime(2026, 7, 24, 11, 32, tzinfo=WIB)


@pytest.mark.parametrize(
    "first, dateline, rest",
    [
        ("JAKARTA, KOMPAS.com - Pemerintah", "Jakarta", "Pemerintah"),
        ("KOMPAS.com - Pemerintah", None, "Pemerintah"),
        ("Jakarta (ANTARA) - Pemerintah", "Jakarta", "Pemerintah"),
        ("REPUBLIKA.CO.ID, JAKARTA -- Pemerintah", "Jakarta", "Pemerintah"),
        ("Liputan6.com, Jakarta - Pemerintah", "Jakarta", "Pemerintah"),
        ("Metrotvnews.com, Jakarta: Pemerintah", "Jakarta", "Pemerintah"),
        ("Jakarta, CNN Indonesia -- Pemerintah", "Jakarta", "Pemerintah"),
        ("Jakarta - Pemerintah", "Jakarta", "Pemerintah"),
        ("TEMPO.CO, Jakarta - Pemerintah", "Jakarta", "Pemerintah"),
        ("JAKARTA, iNews.id - Pemerintah", "Jakarta", "Pemerintah"),
        ("TRIBUN-BALI.COM, DENPASAR - Pemerintah", "Denpasar", "Pemerintah"),
        ("BANDA ACEH - Pemerintah", "Banda Aceh", "Pemerintah"),
        ("KONTAN.CO.ID - JAKARTA. Pemerintah", "Jakarta", "Pemerintah"),
        ("Bisnis.com, JAKARTA - Pemerintah", "Jakarta", "Pemerintah"),
        ("Kiel, 27.6.2025 – Pemerintah", None, None),  # a German date line: text
        ("Menurut Presiden Joko Widodo - yang hadir - Pemerintah", None, None),  # no dateline: a sentence
    ],
)
def test_datelines_of_indonesian_sites(first, dateline, rest):
    blocks, removed, place = take_dateline([Block(f"{first} mengumumkan rencana itu.")])
    assert place == dateline
    if rest:
        assert blocks[0].text == f"{rest} mengumumkan rencana itu." and removed[0][0] == "dateline"
    else:
        assert not removed


@pytest.mark.parametrize(
    "last, editor, text",
    [
        ("(fyk/ash)", "fyk/ash", None),
        ("(E-2)", "E-2", None),
        ("(zik)", "zik", None),  # lower-case initials on a line of their own
        ("Rapat dilanjutkan besok pagi. (H-2)", "H-2", "Rapat dilanjutkan besok pagi."),
        ("Rapat dilanjutkan besok pagi. (Ant/E-2)", "Ant/E-2", "Rapat dilanjutkan besok pagi."),
        # an acronym, and a source's initials at the end of a sentence, are text
        (
            "Data itu disampaikan Badan Pusat Statistik (BPS).",
            None,
            "Data itu disampaikan Badan Pusat Statistik (BPS).",
        ),
        (
            "Data itu disampaikan oleh Badan Pusat Statistik (BPS)",
            None,
            "Data itu disampaikan oleh Badan Pusat Statistik (BPS)",
        ),
        ("Rapat dilanjutkan besok pagi. (kas)", None, "Rapat dilanjutkan besok pagi. (kas)"),
    ],
)
def test_editor_codes_of_indonesian_sites(last, editor, text):
    cleaned = clean_blocks([Block(p) for p in PARAGRAPHS] + [Block(last)], GENERIC)
    assert cleaned.editor == editor
    assert cleaned.paragraphs == PARAGRAPHS + ([text] if text else [])


def test_a_baca_juga_box_under_a_bare_label_goes_to_related_urls():
    box = (
        "<div class='box'><span>BACA JUGA</span><ul>"
        + "".join(
            f"<li><a href='/nasional/12345{i}/berita-lain-{i}?utm_source=x'>Berita lain nomor {i}</a></li>"
            for i in range(3)
        )
        + "</ul></div>"
    )
    paragraphs = PARAGRAPHS[:2] + ["__BOX__"] + PARAGRAPHS[2:]
    html = page(paragraphs=paragraphs).replace("<p>__BOX__</p>", box)
    article = parse_page(html, URL, GENERIC).article
    assert article.body.split("\n\n") == PARAGRAPHS
    assert article.related_urls == [
        f"https://www.contoh-berita.co.id/nasional/12345{i}/berita-lain-{i}" for i in range(3)
    ]


def test_an_editor_code_the_context_would_drop_reaches_the_editor_column():
    html = page(
        after="<p><strong>(rfs/jbr)</strong></p><div class='tags'><a href='/t/a'>a</a> <a href='/t/b'>b</a></div>"
    )
    article = parse_page(html, URL, GENERIC).article
    assert article.editor == "rfs/jbr" and article.body.split("\n\n") == PARAGRAPHS


@pytest.mark.parametrize(
    "line",
    [
        "Simak breaking news dan berita pilihan kami langsung di ponselmu. Pilih saluran andalanmu akses berita "
        "Kompas.com WhatsApp Channel : https://www.whatsapp.com/channel/0029VaFPbedBPzjZrk13HO3D. Pastikan kamu sudah "
        "install aplikasi WhatsApp ya.",
        "Cek berita dan artikel yg lain di Google News dan ikuti WhatsApp channel mediaindonesia.com",
        "Follow Berita Okezone di Google News",
        "Scroll ke bawah untuk melanjutkan membaca",
        "[Gambas:Video CNN]",
    ],
)
def test_indonesian_boilerplate_lines_leave_the_body(line):
    cleaned = clean_blocks(
        [Block(p) for p in PARAGRAPHS[:2]] + [Block(line)] + [Block(p) for p in PARAGRAPHS[2:]], GENERIC
    )
    assert cleaned.paragraphs == PARAGRAPHS
