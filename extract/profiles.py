"""Site profiles: everything site-specific, as data.

Adding a medcom-style site means adding a `SiteProfile` here plus fixtures; the spider,
parser and cleaner read only these fields. Selectors are layered guesses (see
shared/medcom-notes.md): each field lists several, tried in order.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, fields
from functools import cached_property

from lxml.cssselect import CSSSelector

from extract.selectors import ElementRules, parse_group

REACTION_WORDS = ("Happy", "Inspire", "Confuse", "Sad")

# Phrases that are a whole block, or end one, on Indonesian news sites: (rule, keyword, pattern).
# The keyword is lower-case text every match contains: a cheap test before the regex runs.
INDONESIAN_PHRASES: tuple[tuple[str, str, str], ...] = (
    ("google_news", "cek berita", r"Cek Berita dan Artikel (?:yang|yg) lain di\b.*"),
    ("google_news", "google news", r"Google News"),
    ("whatsapp_channel", "whatsapp", r"(?:dan )?follow Channel WhatsApp\b.*"),
    ("reaction_widget", "tanggapan anda", r"Bagaimana tanggapan anda mengenai artikel ini\?"),
    ("promo", "sobat", r"Hai,? Sobat [\w.]+!.*"),
    ("follow_us", "ikuti media sosial", r"Ikuti media sosial \S+ dan dapatkan berbagai keuntungan\.?"),
    ("follow_us", "follow us", r"FOLLOW US"),
    ("section_heading", "terkait", r"(?:BERITA )?TERKAIT"),
    ("section_heading", "berita lainnya", r"BERITA LAINNYA"),
    ("section_heading", "advertisement", r"ADVERTISEMENT"),
    ("section_heading", "scroll to continue", r"SCROLL TO CONTINUE WITH CONTENT"),
    ("share", "bagikan", r"Bagikan(?: artikel ini)?:?"),
    ("share", "share", r"Share(?: artikel ini)?:?"),
    # Other Indonesian sites' (shared/indonesian-sites.md): kompas, okezone, beritasatu,
    # tempo, suara; CNN Indonesia's video embeds print `[Gambas:Video CNN]`.
    ("whatsapp_channel", "simak", r"Simak (?:breaking news|berita|informasi)\b.*(?:WhatsApp|Google News)\b.*"),
    ("google_news", "follow", r"Follow (?:Berita|Channel|Instagram)\b.*(?:Google News|WhatsApp)\b.*"),
    ("promo", "dapatkan update", r"Dapatkan update berita\b.*"),
    ("promo", "telusuri berita", r"Telusuri berita\b.*\blainnya\b.*"),
    ("section_heading", "scroll ke bawah", r"Scroll ke bawah untuk melanjutkan membaca\.?"),
    ("section_heading", "lihat foto", r"Lihat Foto"),
    ("section_heading", "baca 10 detik", r"Baca 10 detik"),
    ("embed", "gambas", r"\[Gambas:[^\]]{0,80}\]"),
    ("embed", "simak", r"Simak (?:juga )?Video\b.{0,200}"),
    ("syndication", "artikel ini telah", r"Artikel ini telah (?:tayang|terbit|dimuat|diterbitkan) di\b.*"),
)
# Editor codes that close an article on sites without a profile: `(WIL)` (medcom), detik's
# and CNN's lower-case initials `(rfs/jbr)`, Media Indonesia's `(H-2)`, `(Ant/E-2)`.
_CODES = r"(?:[A-Za-z]{1,5}(?:-\d{1,3})?)(?:/[A-Za-z]{1,5}(?:-\d{1,3})?){1,3}|[A-Z]{1,3}-\d{1,3}|[A-Z]{2,5}"
GENERIC_EDITOR_CODE = rf"\(({_CODES})\)"
# On a line of its own after the text, lower-case initials are a code too (sindonews'
# `(zik)`); at the end of a sentence they are a source's ("... frei. (kas)" is kept).
GENERIC_EDITOR_CODE_ALONE = rf"\(({_CODES}|[a-z]{{2,4}})\)"
# "Baca juga:" and the other labels over a link to another article: kompas, mediaindonesia
# ("Baca juga : ..."), beritasatu ("BACA JUGA"), CNN Indonesia ("Lihat Juga:"), tempo
# ("Pilihan Editor: ..."); a bare label over a link line counts too.
GENERIC_RELATED_PREFIX = r"(?i:baca(?:\s+juga)?|lihat\s+juga|pilihan\s+editor)\s*(?::|$)"

# Elements removed from the body before text is read (structural rules): (rule, selectors).
BODY_DROP_SELECTORS: tuple[tuple[str, str], ...] = (
    ("script", "script, style, noscript, iframe, ins, template"),
    ("ads", ".ads, .ad, .advertisement, [class*=dfp], [id*=div-gpt], .flying-carpet"),
    ("caption", "figure, figcaption, img, picture, .caption"),
    ("share_buttons", ".share, .social-share, .sharing, [class*=share]"),
    ("related_block", ".terkait, .related, .berita-lainnya, .related-news, p.related-news"),
    ("reaction_widget", ".reaction, .reactions, [class*=reaction]"),
    ("follow_us", ".follow, .follow-us, .ext-channel"),
)


@dataclass(frozen=True)
class SiteProfile:
    """One news site: identity, URLs, discovery, selectors and cleaning rules."""

    name: str
    origin: str  # canonical scheme://host, every written URL uses it
    hosts: tuple[str, ...]  # hosts serving the same pages as origin (mobile, bare domain)
    article_path: str  # regex on the URL path; named groups id, channel, subchannel
    version: str = "1"  # of these rules: a row's parser_version names it (a layout change is a new version)
    timezone: str = "Asia/Jakarta"
    language: str = "id"
    # discovery
    robots_path: str = "/robots.txt"
    feed_paths: tuple[str, ...] = ("/rss",)
    date_index_path: str | None = "/indeks/{date:%Y/%m/%d}"
    sitemap_paths: tuple[str, ...] = ("/sitemap.xml",)
    # URL canonicalisation
    tracking_params: tuple[str, ...] = ("utm_*", "fbclid", "gclid", "_ga", "mc_cid", "mc_eid")
    amp_prefix: str | None = "/amp"
    # path segments that look like articles but are not (video pages, photo galleries)
    excluded_channels: tuple[str, ...] = ("video", "foto", "tag", "indeks", "amp", "author", "search")
    # selectors, most trusted first
    title_selectors: tuple[str, ...] = ("h1",)
    kicker_selectors: tuple[str, ...] = (".kicker", ".subtitle")
    byline_selectors: tuple[str, ...] = (".info_ct", "div.date", ".byline", "div.name", ".author")
    body_selectors: tuple[str, ...] = ("#articleBody", "[itemprop=articleBody]", "div.text", "article")
    tag_selectors: tuple[str, ...] = (".tags a", ".tag a", "a[rel=tag]")
    image_selectors: tuple[str, ...] = ("figure img", ".pic img", "img.lead")
    caption_selectors: tuple[str, ...] = ("figcaption", ".caption", ".pic_caption")
    # elements removed from the body before text is read (structural rules)
    body_drop_selectors: tuple[tuple[str, str], ...] = BODY_DROP_SELECTORS
    phrase_rules: tuple[tuple[str, str, str], ...] = INDONESIAN_PHRASES
    reaction_words: tuple[str, ...] = REACTION_WORDS
    related_prefix: str = r"Baca(?: [Jj]uga)?\s*:"
    editor_code: str = r"\(([A-Z]{2,5})\)"
    editor_code_alone: str | None = None  # a code only taken on a line of its own; editor_code if None
    title_suffix: str | None = r"\s*[-|–]\s*(?:Medcom\.id|Medcom)\s*$"  # the site's name after a title

    def __getstate__(self) -> dict:
        # Pickled to the parse worker: its compiled caches (lxml's selectors cannot be pickled)
        # are built again on the other side.
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def article_match(self, path: str) -> re.Match | None:
        return self._article_re.match(path)

    @cached_property
    def _article_re(self) -> re.Pattern:
        return re.compile(self.article_path)

    @cached_property
    def phrase_patterns(self) -> tuple[tuple[str, str, re.Pattern], ...]:
        """Phrase rules with their patterns compiled once."""
        return tuple(
            (name, keyword, re.compile(pattern, re.IGNORECASE)) for name, keyword, pattern in self.phrase_rules
        )

    @cached_property
    def tracking_re(self) -> re.Pattern:
        """`tracking_params` (shell patterns, lower case) as one pattern."""
        return re.compile("|".join(fnmatch.translate(p) for p in self.tracking_params) or "(?!)")

    @cached_property
    def related_re(self) -> re.Pattern:
        return re.compile(self.related_prefix)

    @cached_property
    def editor_code_re(self) -> re.Pattern:
        """The editor code as a whole block."""
        return re.compile(rf"{self.editor_code_alone or self.editor_code}\.?")

    @cached_property
    def editor_tail_re(self) -> re.Pattern:
        """The editor code ending a block after a space (searched in its last EDITOR_CODE_CHARS)."""
        return re.compile(rf"\s+({self.editor_code}\.?)$")

    @cached_property
    def editor_after_sentence_re(self) -> re.Pattern:
        # Only after a sentence ends: "... Badan Pusat Statistik (BPS)" is an acronym, not an editor.
        return re.compile(rf"(?<=[.!?\"”’'])\s+{self.editor_code}\.?$")

    @cached_property
    def _selectors(self) -> dict[str, CSSSelector]:
        return {}

    @cached_property
    def _parsed(self) -> dict[str, object]:
        return {}

    @cached_property
    def body_rules(self) -> ElementRules:
        """The structural removal rules, compiled for the body walker."""
        return ElementRules(self.body_drop_selectors, self.parsed_selector, self.css)

    def parsed_selector(self, selector: str):
        """`extract.selectors.parse_group(selector)`, cached per profile."""
        if selector not in self._parsed:
            self._parsed[selector] = parse_group(selector)
        return self._parsed[selector]

    def css(self, selector: str) -> CSSSelector:
        """A CSS selector compiled once per profile (the fallback of `extract.selectors`)."""
        compiled = self._selectors.get(selector)
        if compiled is None:
            compiled = self._selectors[selector] = CSSSelector(selector)
        return compiled


MEDCOM = SiteProfile(
    name="medcom",
    origin="https://www.medcom.id",
    hosts=("www.medcom.id", "medcom.id", "m.medcom.id"),
    article_path=r"^/(?P<channel>[a-z][a-z0-9-]*)/(?:(?P<subchannel>[a-z][a-z0-9-]*)/)?"
    r"(?P<id>[A-Za-z0-9]{8})-(?P<slug>[A-Za-z0-9-]+)/?$",
)

# A page from a site without a profile: structured metadata plus the generic extractor.
GENERIC = SiteProfile(
    name="generic",
    origin="",
    hosts=(),
    # every URL is a page of its own: urls.article_ref reads its id by its shape
    # (extract.ids) and its channel from its path (extract.channels)
    article_path=r"^/",
    feed_paths=(),
    date_index_path=None,
    # no title selector: the first <h1> of an unknown site is often its logo or a section
    # name; the headline comes from the metadata, checked against the <h1>s (see titles.py)
    title_selectors=(),
    title_suffix=None,
    body_drop_selectors=BODY_DROP_SELECTORS
    + (
        # boxes inside Indonesian bodies (shared/indonesian-sites.md): tribun's "Ringkasan
        # Berita", suara's "baca 10 detik", detik's and CNN's "scroll to continue" labels
        ("summary_box", ".summary-article, .ten-second"),
        ("scroll_label", ".parallaxindetail, .paradetail"),
    ),
    editor_code=GENERIC_EDITOR_CODE,
    editor_code_alone=GENERIC_EDITOR_CODE_ALONE,
    related_prefix=GENERIC_RELATED_PREFIX,
)

PROFILES: dict[str, SiteProfile] = {p.name: p for p in (MEDCOM,)}


def get_profile(name: str) -> SiteProfile:
    try:
        return PROFILES[name]
    except KeyError:
        raise KeyError(f"unknown site {name!r}; known: {', '.join(sorted(PROFILES))}") from None


def profile_for_url(url: str) -> SiteProfile:
    """The profile whose hosts serve `url`, or GENERIC."""
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    for profile in PROFILES.values():
        if host in profile.hosts:
            return profile
    return GENERIC
