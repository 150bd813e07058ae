"""Site definition files are validated on load: every bad value is refused with the file, its
line and the reason, before any crawl starts (extract/sites/files.py)."""

from __future__ import annotations

import pytest

from extract.sites.files import SiteFileError, read_site_file

GOOD = """\
name = "contoh"
version = "1"
origin = "https://www.contoh.id"
hosts = ["www.contoh.id"]

[[article]]
pattern = '^/(?P<channel>[a-z]+)/(?P<id>\\d+)/(?P<slug>[a-z0-9-]+)$'
"""


def _write(tmp_path, text: str, name: str = "contoh"):
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


def test_a_small_file_is_a_site(tmp_path):
    fields = read_site_file(_write(tmp_path, GOOD))
    assert fields["name"] == "contoh" and fields["hosts"] == ("www.contoh.id",)
    assert fields["articles"][0]["id"] == "{id}"


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (GOOD.replace('name = "contoh"', 'name = "lain"'), 1, "name must be the file's name"),
        (GOOD.replace('version = "1"\n', ""), 1, "version is required"),
        (GOOD + "colour = 'red'\n", 8, "unknown key 'colour'"),
        (GOOD.replace('hosts = ["www.contoh.id"]', 'hosts = ["WWW.Contoh"]'), 4, "is not a host name"),
        (GOOD.replace("(?P<slug>", "(?P<slug"), 7, "not a regular expression"),
        (GOOD + 'id = "{nomor}"\n', 8, "{nomor} is not a named group of the pattern"),
        (GOOD + 'channel = "{channel.upper}"\n', 8, "must be a plain group name"),
        (GOOD + "\n[selectors]\nbody = ['div..x']\n", 10, "body: not a CSS selector"),
        (GOOD + "\n[discovery]\ndate_index = '/indeks/{day}'\n", 10, "only {date:FORMAT} and {page}"),
        (GOOD + "\n[politeness]\nconcurrency = 0\n", 10, "concurrency must be a whole number from 1 to 64"),
        (GOOD + "\n[cleaning]\nphrases = [{ rule = 'x', keyword = 'Baca', pattern = 'Baca' }]\n", 10, "lower-case"),
        (GOOD + "\n[pages]\nsplit = true\n", 10, "unknown key 'split' in [pages]"),
        (GOOD.replace("origin = ", "home2 = "), 3, "unknown key 'home2'"),
        (GOOD.replace('origin = "https://www.contoh.id"\n', ""), 1, "needs home = its front page"),
        (
            'name = "contoh"\nversion = "1"\norigin = "https://www.contoh.id"\nhosts = ["www.contoh.id"]\n',
            1,
            "[[article]]",
        ),
        (GOOD.replace("[[article]]", "[[article]"), 6, "column"),
    ],
)
def test_a_bad_value_names_the_file_its_line_and_the_reason(tmp_path, text, line, reason):
    path = _write(tmp_path, text)
    with pytest.raises(SiteFileError) as raised:
        read_site_file(path)
    message = str(raised.value)
    assert message.startswith(f"{path}, line {line}: "), message
    assert reason in message, message


def test_the_second_pattern_is_named_when_it_is_the_bad_one(tmp_path):
    text = GOOD + "\n[[article]]\npattern = '^/old/(?P<x>\\d+)$'\nid = '{id}'\n"
    with pytest.raises(SiteFileError, match=r"line 11: \[\[article\]\] #2: id: \{id\} is not a named group"):
        read_site_file(_write(tmp_path, text))


def test_the_shipped_medcom_file_is_valid():
    from pathlib import Path

    import extract.sites

    fields = read_site_file(Path(extract.sites.__file__).parent / "medcom.toml")
    assert fields["origin"] == "https://www.medcom.id"
