"""The article id of a page without a site profile: the URL's own id, found by its shape.

News sites put an article's id in its URL in a handful of shapes (see
shared/indonesian-sites.md). `SHAPES` lists them, most specific first: each is a regex
searched in the URL's path (no trailing slash, `//` collapsed) and a template of the id it
gives, over the regex's named groups. The first shape that matches names the id; a URL of no
shape (a slug alone: jpnn, inews, kontan, a WordPress permalink) has none, and the caller
hashes its canonical URL instead.

Ids that are words of a slug would merge different articles, so a shape whose id could be a
word asks for what a word never has: a digit or an upper-case letter in a code, a digit and a
letter in turn in a code segment. A code that looks like a word is missed, and the URL is
hashed: an id may be less readable, never shared by two articles.

Every GENERIC page has the site `generic`, so an id is unique only with its host: the caller
writes `{host_key}:{id}`, the host without a leading `www.`, `m.`, `mobile.` or `amp.`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

_DATE = r"/(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})"
_TAIL = r"(?:/[^/]*)?$"  # an optional last segment (the slug) after the id
# A number that is a date (`/20260724/`, `-20260724`) is shared by a day's articles: no id.
_NOT_A_DATE = r"(?!(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$)"


@dataclass(frozen=True)
class Shape:
    """One URL shape: `pattern` is searched in the path; `template` is formatted with its named
    groups (`{m:0>2}` pads a month) plus `slug_hash`, the first 8 hex digits of the SHA-1 of
    the group `slug`; `accept`, when set, is a regex the group `id` must also match."""

    name: str
    pattern: str
    template: str
    example: str  # a path of the shape and the id it gives, for the reader
    accept: str | None = None


SHAPES: tuple[Shape, ...] = (
    # Dated paths: a number after the date is only unique on that day (kompas numbers start
    # with the publication time), so the id is the date and the number.
    Shape(
        "dated_time_id_section",
        _DATE + r"/\d{6}/(?P<id>\d+)/\d{1,4}" + _TAIL,
        "{y}{m:0>2}{d:0>2}-{id}",
        "detik before 2019: /read/2012/05/01/123456/1905000/10/slug -> 20120501-1905000",
    ),
    Shape(
        "dated_section_id",
        _DATE + r"/\d{1,4}/(?P<id>\d{5,})" + _TAIL,
        "{y}{m:0>2}{d:0>2}-{id}",
        "okezone: /read/2026/07/24/337/3012345/slug -> 20260724-3012345",
    ),
    Shape(
        "dated_time_slug",
        _DATE + r"/(?P<t>\d{6})/(?P<slug>[^/]*[A-Za-z][^/]*)$",
        "{y}{m:0>2}{d:0>2}{t}-{slug_hash}",
        # The time of day alone may be shared (scheduled posts go out on the hour): the slug
        # tells two articles of one second apart.
        "suara: /news/2026/07/24/070800/slug -> 20260724070800-{sha1(slug)[:8]}",
    ),
    Shape(
        "dated_number",
        _DATE + r"/(?P<id>\d{5,})" + _TAIL,
        "{y}{m:0>2}{d:0>2}-{id}",
        "kompas: /read/2016/02/14/09362021/Slug -> 20160214-09362021; tempo 2014-2017: /read/news/...",
    ),
    Shape(
        "timestamp_channel_id",
        r"/(?P<id>\d{14}-\d{1,4}-\d+)" + _TAIL,
        "{id}",
        "cnnindonesia, cnbcindonesia: /nasional/20260724101530-20-1234567/slug -> 20260724101530-20-1234567",
    ),
    Shape("detik", r"/d-(?P<id>\d{4,})" + _TAIL, "{id}", "detik: /berita/d-7712345/slug -> 7712345"),
    Shape(
        "read_date_category_id",
        r"/read/(?P<date>\d{8})/\d{1,4}/(?P<id>\d+)" + _TAIL,
        "{date}-{id}",
        "bisnis: /read/20251114/12/1234567/slug -> 20251114-1234567",
    ),
    Shape(
        "read_number",
        r"/read/(?P<id>\d{4,})(?:/.*)?$",
        "{id}",
        "liputan6, merdeka, grid, sindonews, tempo 2017-2023: /news/read/6123456/slug -> 6123456",
        accept=_NOT_A_DATE,
    ),
    Shape(
        "number_slug",
        r"/(?P<id>\d{5,})-(?P<slug>[^/]*[A-Za-z][^/]*)$",
        "{id}",
        "viva: /berita/nasional/1234567-slug -> 1234567",
        accept=_NOT_A_DATE,
    ),
    Shape(
        "number_segment",
        r"/(?P<id>\d{5,})" + _TAIL,
        "{id}",
        "antaranews, mediaindonesia, beritasatu, voi, tribunnews, jawapos: /berita/4123456/slug -> 4123456",
        accept=_NOT_A_DATE,
    ),
    Shape(
        "hex_segment",
        r"/(?P<id>[0-9a-f]{10,32})" + _TAIL,
        "{id}",
        "katadata: /berita/nasional/66a1dc20b49c6/slug -> 66a1dc20b49c6",
        accept=r"(?=.*\d)(?=.*[a-f])",
    ),
    Shape(
        "berita_code",
        r"/berita/(?P<id>[a-z0-9]{6,12})/(?P<slug>[^/]*-[^/]*)$",
        "{id}",
        "republika: /berita/qwjyx4430/slug -> qwjyx4430 (a code right after `berita`: no section)",
        accept=r"(?=.*[a-z])(?=.*\d)",
    ),
    Shape(
        "short_dated_code_prefix",
        r"/\d{2}/\d{2}/\d{2}/(?P<id>[a-z0-9]{5,10})-[^/]+$",
        "{id}",
        "republika before 2020: /berita/nasional/politik/14/05/03/n4xyz1-slug -> n4xyz1",
        accept=r"(?=.*[a-z])(?=.*\d)",
    ),
    Shape(
        "code_segment",
        r"/(?P<id>[a-z0-9]{6,12})/(?P<slug>[^/]*-[^/]*)$",
        "{id}",
        "republika: /berita/s5k2xq430/slug -> s5k2xq430",
        accept=r"(?=.*[a-z]\d)(?=.*\d[a-z])",  # letters and digits in turn: no word, no "covid19"
    ),
    Shape(
        "code11_suffix",
        r"-(?P<id>\d[A-Za-z0-9]{10})$",
        "{id}",
        "kumparan: /kumparannews/slug-27abcDEFghi -> 27abcDEFghi",
        accept=r".*[A-Za-z]",
    ),
    Shape(
        "code5_code6_suffix",
        r"(?P<lead>-00)?-(?P<a>[A-Za-z0-9]{5})-(?P<b>[A-Za-z0-9]{6})$",
        "{a}-{b}",
        "idntimes: /news/indonesia/slug-00-ab1cd-ef2gh3 -> ab1cd-ef2gh3 (the 6-char code alone collides)",
    ),
    Shape(
        "code4_suffix",
        r"/[^/]*[A-Za-z][^/]*-(?P<id>[A-Za-z0-9]{4})$",
        "{id}",
        "tirto: /slug-words-gAbc -> gAbc",
        accept=r"(?=.*[A-Z])",  # slugs are lower case: `-h5n1`, `-2026` end a slug, never a code
    ),
    Shape(
        "hex_html_suffix",
        r"-(?P<id>[0-9a-f]{6,8})\.html?$",
        "{id}",
        "kapanlagi: /showbiz/selebriti/slug-1a2b3c.html -> 1a2b3c",
        accept=r".*\d",
    ),
    Shape(
        "number_suffix",
        r"-(?P<id>\d{6,})(?:-[a-z]{2,4})?(?:\.[a-z]{3,5})?$",
        "{id}",
        "tempo: /politik/slug-2012345 -> 2012345; merdeka: /peristiwa/slug-1234567-mvk.html -> 1234567",
        accept=_NOT_A_DATE,
    ),
    Shape(
        "code8_prefix",
        r"/(?P<id>[A-Za-z0-9]{8})-[^/]+$",
        "{id}",
        "medcom, metrotvnews: /nasional/politik/nbwXaLxk-slug -> nbwXaLxk",
        accept=r"(?=.*[A-Z0-9])(?=.*[a-z])",
    ),
)
# Query parameters that carry an article id (`/?p=123` is WordPress's own permalink).
ID_PARAMS = ("p", "id", "news_id", "newsid", "article_id", "articleid", "berita_id", "idberita", "story_id")
_QUERY_ID = re.compile(r"^(\d+)(?::.*)?$")
# Parameters that change how a page is shown, not which page it is (paging, AMP, referrers).
VIEW_PARAMS = frozenset(
    (
        "page",
        "showpage",
        "single",
        "amp",
        "m",
        "mobile",
        "output",
        "ref",
        "source",
        "src",
        "from",
        "tag_from",
        "jxrecoid",
    )
)
_LETTER_AND_DIGIT = re.compile(r"(?=.*[A-Za-z])(?=.*\d)")
_HOST_PREFIXES = ("www.", "m.", "mobile.", "amp.")
# Second-level labels under a country code: `republika.co.id`, `bbc.co.uk` are one site each.
_SECOND_LEVEL = frozenset(("co", "or", "ac", "go", "web", "my", "sch", "net", "mil", "biz", "com", "org", "gov", "ne"))


@dataclass(frozen=True)
class UrlId:
    value: str
    shape: str
    start: int  # where in the path the shape's match begins: the channel is read before it


_COMPILED: tuple[tuple[Shape, re.Pattern, re.Pattern | None], ...] = tuple(
    (s, re.compile(s.pattern), re.compile(s.accept) if s.accept else None) for s in SHAPES
)


def _accepted(shape: Shape, m: re.Match, accept: re.Pattern | None) -> bool:
    if shape.name == "code5_code6_suffix":
        # A slug may end in words of five and six characters (`-harga-beras`, `-50000-rupiah`):
        # codes follow the `-00-` marker idntimes puts before them, or mix letters and digits.
        return bool(m["lead"]) or all(_LETTER_AND_DIGIT.match(code) for code in (m["a"], m["b"]))
    return accept is None or accept.match(m["id"]) is not None


def path_id(path: str) -> UrlId | None:
    """The id that the path's shape names, or None when it has none of `SHAPES`."""
    for shape, pattern, accept in _COMPILED:
        m = pattern.search(path)
        if m and _accepted(shape, m, accept):
            groups = {k: v for k, v in m.groupdict().items() if v is not None}
            if "slug" in groups:
                groups["slug_hash"] = hashlib.sha1(groups["slug"].encode("utf-8")).hexdigest()[:8]
            return UrlId(shape.template.format(**groups), shape.name, m.start())
    return None


def query_id(query: str) -> tuple[str, str] | None:
    """`(name, value)` of the first id parameter (`ID_PARAMS`) whose value is a number, or
    starts with one before a `:` (Joomla's `id=123:slug`)."""
    for name, value in parse_qsl(query):
        m = _QUERY_ID.match(value)
        if name.lower() in ID_PARAMS and m:
            return name, m.group(1)
    return None


def kept_query(query: str, tracking: re.Pattern) -> str:
    """The query parameters that say which page a URL without an id is (`berita.php?kode=abc`),
    sorted: tracking parameters (`tracking`, matched on the lower-cased name) and those that
    only change how a page is shown (`VIEW_PARAMS`) left out."""
    kept = sorted(
        (k, v)
        for k, v in parse_qsl(query, keep_blank_values=True)
        if k.lower() not in VIEW_PARAMS and not tracking.match(k.lower())
    )
    return urlencode(kept)


def host_key(host: str) -> str:
    """The host an id is unique under: lower case, without a leading `www.`, `m.`, `mobile.`
    or `amp.` (the same site's pages under its mobile or AMP host share their ids)."""
    host = host.lower().rstrip(".")
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            return host[len(prefix) :]
    return host


def base_domain(host: str) -> str:
    """The registrable part of a host, without a public-suffix list: `nasional.kompas.com` ->
    `kompas.com`, `news.republika.co.id` -> `republika.co.id`."""
    labels = host.lower().rstrip(".").split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def hashed_id(host: str, path: str, query: str = "") -> str:
    """The id of a URL without an id of its own: 16 hex digits of the SHA-1 of its host key,
    path and kept query (`kept_query`; the scheme, a mobile host, tracking parameters and a
    trailing slash do not change it)."""
    return hashlib.sha1(f"{host_key(host)}{path}{'?' + query if query else ''}".encode()).hexdigest()[:16]
