"""What Indonesian news sites share, the defaults of every site profile: boilerplate phrases
that make or end a block, editor codes, "Baca juga" labels, the elements removed from a body.
A site's own file adds to them (`[cleaning]`), or replaces the editor code and the prefix."""

from __future__ import annotations

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
    # boxes inside Indonesian bodies (shared/indonesian-sites.md): tribun's "Ringkasan Berita",
    # suara's "baca 10 detik", detik's and CNN's "scroll to continue" labels
    ("summary_box", ".summary-article, .ten-second"),
    ("scroll_label", ".parallaxindetail, .paradetail"),
)
