"""Sites are data: the shipped definitions and a user's own folder (`--sites DIR`, WARTA_SITES,
a schedule file's `sites`), one file a site; several sites in one crawl, each with its own
run record, summary line and exit status; a site served from many hosts through one mirror."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import extract.sites
from extract.sites import load_sites, read_site
from extract.urls import article_ref, to_fetch, to_origin
from tests.conftest import run_warta

MEDCOM_FILE = Path(extract.sites.__file__).parent / "medcom.toml"
# A second site built like medcom on other hosts: a user's own definition.
CONTOH = (
    MEDCOM_FILE.read_text()
    .replace('name = "medcom"', 'name = "contoh"')
    .replace('origin = "https://www.medcom.id"', 'origin = "https://www.contoh.id"')
    .replace('hosts = ["www.medcom.id", "medcom.id", "m.medcom.id"]', 'hosts = ["www.contoh.id"]')
)

DETIK_LIKE = """\
name = "detiklike"
version = "1"
home = "https://www.detiklike.com"
hosts = ["*.detiklike.com", "detiklike.com"]
exclude_hosts = ["video.detiklike.com"]

[[article]]
pattern = '^/(?P<section>[a-z0-9-]+)/d-(?P<id>\\d+)/(?P<slug>[a-z0-9-]+)/?$'
id = "{id}"
channel = "{host1}"
subchannel = "{section}"

[[article]]
pattern = '^/read/(?P<y>\\d{4})/(?P<m>\\d{2})/(?P<d>\\d{2})/\\d{6}/(?P<id>\\d+)/\\d+/(?P<slug>[^/]+)$'
id = "{id}"
channel = "{host1}"

[urls]
same_host = { "m.detiklike.com" = "www.detiklike.com" }
"""


@pytest.fixture
def user_sites(tmp_path):
    folder = tmp_path / "my-sites"
    folder.mkdir()
    (folder / "contoh.toml").write_text(CONTOH)
    return folder


def test_a_site_served_from_many_hosts_keeps_each_articles_host_and_its_id(tmp_path):
    (tmp_path / "detiklike.toml").write_text(DETIK_LIKE)
    site = read_site(tmp_path / "detiklike.toml")
    new = article_ref("https://news.detiklike.com/berita/d-7712345/jelang-pemilu?utm_source=x", site)
    old = article_ref("http://news.detiklike.com/read/2016/02/14/093620/7712345/10/jelang-pemilu", site)
    other = article_ref("https://finance.detiklike.com/berita/d-7712346/jelang-pemilu", site)
    assert (new.article_id, new.url, new.channel, new.subchannel) == (
        "7712345",
        "https://news.detiklike.com/berita/d-7712345/jelang-pemilu",
        "news",
        "berita",
    )
    assert old.article_id == new.article_id, "the archive's older URL form names the same article"
    assert other.article_id == "7712346" and other.url.startswith("https://finance.detiklike.com/")
    assert article_ref("https://video.detiklike.com/berita/d-1/x", site) is None, "an excluded host"
    assert article_ref("https://m.detiklike.com/berita/d-5/x", site).url == "https://www.detiklike.com/berita/d-5/x"
    # One mirror for every host: the request says which host it is for, the answer maps back.
    mirror = "http://127.0.0.1:8000"
    assert to_fetch(new.url, site, mirror) == (
        "http://127.0.0.1:8000/berita/d-7712345/jelang-pemilu",
        "news.detiklike.com",
    )
    assert to_origin("http://127.0.0.1:8000/berita/d-9/x", site, mirror, host="finance.detiklike.com") == (
        "https://finance.detiklike.com/berita/d-9/x"
    )


def test_a_users_folder_adds_sites_and_overrides_shipped_ones(user_sites, monkeypatch):
    assert "contoh" not in load_sites()
    assert "contoh" in load_sites([user_sites])
    (user_sites / "medcom.toml").write_text(
        MEDCOM_FILE.read_text().replace('title = "Medcom.id"', 'title = "Medcom mine"')
    )
    sites = load_sites([user_sites])
    assert sites.get("medcom").title == "Medcom mine" and sites.files["medcom"] == user_sites / "medcom.toml"
    monkeypatch.setenv("WARTA_SITES", str(user_sites))
    assert load_sites().get("medcom").title == "Medcom mine"


def test_a_bad_site_file_in_a_users_folder_is_one_line_before_any_crawl(user_sites, tmp_path):
    (user_sites / "rusak.toml").write_text('name = "rusak"\nversion = "1"\nhosts = ["Bad Host"]\n')
    result = run_warta("crawl", "contoh", "--sites", str(user_sites), "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"warta crawl: error: {user_sites / 'rusak.toml'}, line 3: hosts: 'Bad Host' is not a host name "
        "(lower case; `*.` for any subdomain)"
    )


def test_several_sites_in_one_crawl_each_with_its_record_line_and_status(user_sites, tmp_path, server, site):
    data_dir = tmp_path / "data"
    days = ("--since", str(site.days[-1]), "--until", str(site.days[-1]))
    args = ("--base-url", server.base_url, "--data-dir", str(data_dir), *days)
    result = run_warta("crawl", "medcom", "contoh", "--sites", str(user_sites), *args)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if " articles staged " in line]
    assert [line.split(":")[0] for line in lines] == ["medcom", "contoh"], result.stdout
    on_last_day = len(site.on_day(site.days[-1]))
    for name in ("medcom", "contoh"):
        [record] = [json.loads(p.read_text()) for p in (data_dir / "runs" / name).glob("*.json")]
        assert record["summary"]["articles"] >= on_last_day - 1, record["summary"]
    staged = {
        json.loads(x)["url"].split("/")[2]
        for p in (data_dir / "staging").glob("*/*.jsonl")
        for x in p.read_text().splitlines()
    }
    assert staged == {"www.medcom.id", "www.contoh.id"}, "each site writes its own URLs"


def test_an_unknown_site_or_nothing_to_crawl_is_a_usage_error(tmp_path):
    unknown = run_warta("crawl", "kompas", "--data-dir", str(tmp_path))
    assert unknown.returncode == 2 and "unknown site 'kompas'" in unknown.stderr
    nothing = run_warta("crawl", "--data-dir", str(tmp_path))
    assert nothing.returncode == 2 and "name the sites to crawl" in nothing.stderr


def test_a_schedule_files_sites_folder_is_known_to_its_jobs(user_sites, tmp_path):
    from schedules.config import load_schedule
    from schedules.jobs import command

    schedule = tmp_path / "s.toml"
    schedule.write_text(
        f'sites = "{user_sites.name}"\n\n[[job]]\nid = "contoh-latest"\nkind = "crawl"\nsite = "contoh"\ninterval_minutes = 30\n'
    )
    spec = load_schedule(schedule).jobs["contoh-latest"]
    assert command(spec, str(tmp_path))[-2:] == ["--sites", str(user_sites)]
    schedule.write_text('[[job]]\nid = "x"\nkind = "crawl"\nsite = "contoh"\ninterval_minutes = 30\n')
    with pytest.raises(ValueError, match="line 4: job #1: site must be one of medcom, got"):
        load_schedule(schedule)


SITE_WITH_QUIRKS = """\
name = "quirky"
version = "1"
origin = "https://www.quirky.id"
hosts = ["www.quirky.id"]

[[article]]
pattern = '^/read/(?P<id>\\d+)/(?P<slug>[a-z0-9-]+)$'

[selectors]
title = ["h1.judul"]
date = ["div.waktu"]
authors = ["span.penulis"]
breadcrumb = ["ol.jejak a"]

[dates]
meta = ["q:publishdate"]
local_time_as_utc = true
"""

QUIRKY_PAGE = """<html><head><title>Judul berita - Quirky</title>
<meta name="q:publishdate" content="2026-06-05T20:30:23Z"></head><body>
<ol class="jejak"><a href="/">Beranda</a><a href="/ekonomi">Ekonomi</a><a href="/ekonomi/pasar">Pasar</a></ol>
<h1 class="judul">Judul berita yang panjang</h1>
<div class="penulis-kotak"><span class="penulis">Rina Wati</span>, <span class="penulis">Budi Santoso</span></div>
<div class="waktu">Jumat, 05 Jun 2026 20:30 WIB</div>
<div class="isi"><p>Paragraf pertama berita ini cukup panjang untuk menjadi isi yang sah.</p>
<p>Paragraf kedua juga menceritakan hal yang sama dengan kata-kata yang berbeda sekali.</p>
<p>Paragraf ketiga menutup berita dengan kesimpulan yang jelas dan lengkap.</p></div>
</body></html>"""


def test_a_sites_own_date_meta_authors_and_breadcrumb_are_read(tmp_path):
    from extract.parse import parse_page

    (tmp_path / "quirky.toml").write_text(SITE_WITH_QUIRKS)
    site = read_site(tmp_path / "quirky.toml")
    result = parse_page(QUIRKY_PAGE, "https://www.quirky.id/read/123/judul-berita", site)
    article = result.article
    # `Z` that is local time: 20:30:23 WIB, with the seconds the meta has and the byline lacks
    assert article.published_at.isoformat() == "2026-06-05T20:30:23+07:00", result.sources
    assert result.sources["published_at"] == "meta:q:publishdate"
    assert article.authors == ["Rina Wati", "Budi Santoso"]
    assert (article.channel, article.subchannel) == ("ekonomi", "pasar")
    assert article.article_id == "123" and article.title == "Judul berita yang panjang"
