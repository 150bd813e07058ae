"""Challenge and block pages: a firewall or CDN answering in place of the page that was asked for.

warta does not get past a challenge, but it must know one when it meets it: a Cloudflare "Just a
moment..." page parsed as an article is a page of nonsense, a challenged robots.txt read as one
allows everything, a challenged feed looks like an empty feed. `challenge(status, headers, head)`
says whether an answer is such a page, by which vendor and on what evidence; the crawl drops it
(`crawler.middlewares.challenge`), and a live check of a site can report it.

A signature needs more than words a page may contain, so that an article about Cloudflare or
captchas never counts: a header the vendor sets only on a challenge or block, or the status the
vendor answers with together with its page's markup, or markup only the interstitial carries (an
element id, a script variable assigned in the page). Words alone are never enough on a 2xx page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# The bytes of a body that are looked at: every interstitial below puts its markers in its first
# few kilobytes (the largest, Cloudflare's, carries its title in the first 300 bytes).
HEAD_BYTES = 32 * 1024


@dataclass(frozen=True)
class Signature:
    """One way a vendor's challenge or block page shows itself. Every condition given must hold:
    the status is one of `statuses` (empty: any), the `header` (a lower-case name) has a value
    matching its pattern, the `body` pattern is found in the first HEAD_BYTES of the body."""

    name: str
    vendor: str
    evidence: str  # what the operator is told
    statuses: frozenset[int] = frozenset()
    header: tuple[str, re.Pattern[bytes]] | None = None
    body: re.Pattern[bytes] | None = None
    # A literal the body pattern cannot match without: looked for first, since the signatures
    # of any status read every article's first HEAD_BYTES (a literal search is ~30x cheaper).
    needle: bytes | None = None


@dataclass(frozen=True)
class Challenge:
    """An answer recognised as a challenge or block page."""

    vendor: str  # cloudflare, aws-waf, cloudfront, akamai, imperva, datadome, sucuri, perimeterx, waf
    signature: str  # the name of the signature that matched
    evidence: str  # e.g. "header cf-mitigated: challenge"


def _sig(name, vendor, evidence, statuses=(), header=None, body=None, needle=None) -> Signature:
    return Signature(
        name,
        vendor,
        evidence,
        frozenset(statuses),
        (header[0], re.compile(header[1].encode(), re.IGNORECASE)) if header else None,
        re.compile(body.encode()) if body else None,
        needle.encode() if needle else None,
    )


# Markup case varies (CloudFront writes <TITLE>); script identifiers are matched as written.
def _title(text: str) -> str:
    """A <title> element that is exactly `text` (an article's title that merely starts with the
    words is not one)."""
    return r"<(?i:title)>\s*" + text + r"\s*</(?i:title)>"


# A marker in an attribute or a script assignment (`src="..."`, `a.src='...'`), not in prose.
_SRC = r"(?i:src)\s*=\s*[\"']?"

SIGNATURES: tuple[Signature, ...] = (
    # Cloudflare: "the Challenge Page response (regardless of the Challenge Page type) will have
    # the cf-mitigated header present and set to challenge"
    # (developers.cloudflare.com/cloudflare-challenges/challenge-types/challenge-pages/detect-response).
    _sig("cloudflare-header", "cloudflare", "header cf-mitigated: challenge", header=("cf-mitigated", r"^challenge$")),
    # The interstitial where that header is missing (older pages answered 503, "Checking your
    # browser"): its title "Just a moment...", the challenge script's `window._cf_chl_opt = {`,
    # the script it loads from /cdn-cgi/challenge-platform/h/ (the pages Cloudflare serves;
    # FlareSolverr's and scrapers' detection code look for the same). Not the bare
    # /cdn-cgi/challenge-platform/ path: Cloudflare's JavaScript Detections inject
    # /cdn-cgi/challenge-platform/scripts/jsd/main.js into normal pages
    # (developers.cloudflare.com/cloudflare-challenges/concepts/how-challenges-work).
    _sig(
        "cloudflare-interstitial",
        "cloudflare",
        "Cloudflare challenge page",
        statuses=(403, 429, 503),
        body=_title(r"Just a moment\.\.\.") + r"|_cf_chl_opt\s*=\s*\{|" + _SRC + r"/cdn-cgi/challenge-platform/h/",
    ),
    # Cloudflare's block pages: a WAF rule ("Attention Required! | Cloudflare") and error 1020
    # ("Access denied | HOST used Cloudflare to restrict access").
    _sig(
        "cloudflare-block",
        "cloudflare",
        "Cloudflare block page",
        statuses=(403,),
        body=_title(r"Attention Required! \| Cloudflare")
        + "|"
        + _title(r"[^<]{0,200}used Cloudflare to restrict access"),
    ),
    # AWS WAF: a Challenge action answers "202 Request Accepted" with `x-amzn-waf-action:
    # challenge`, a CAPTCHA action "405 Method Not Allowed" with `x-amzn-waf-action: captcha`
    # (docs.aws.amazon.com/waf/latest/APIReference/API_ChallengeAction.html, API_CaptchaAction.html).
    _sig(
        "aws-waf-header",
        "aws-waf",
        "header x-amzn-waf-action: challenge or captcha",
        header=("x-amzn-waf-action", r"^(challenge|captcha)$"),
    ),
    # The interstitial where the header is missing, as kompas.com served it (HTTP 202 with
    # `awsWafCookieDomainList`, the project's notes on Indonesian sites): the challenge script's globals
    # (`window.awsWafCookieDomainList = [...]`, `window.gokuProps = {...}`, calls of
    # `AwsWafIntegration.`) and its *.token.awswaf.com/.../challenge.js (docs.aws.amazon.com/waf:
    # "Providing domains for use in the tokens"). Pages that integrate AWS WAF's JavaScript SDK
    # carry the same with a 200, so only a 202 or 405 counts.
    _sig(
        "aws-waf-interstitial",
        "aws-waf",
        "AWS WAF challenge page",
        statuses=(202, 405),
        body=r"awsWafCookieDomainList\s*=|gokuProps\s*=|AwsWafIntegration\.|"
        + _SRC
        + r"https://[^\"' >]*\.token\.awswaf\.com/",
    ),
    # CloudFront's own error page, served when AWS WAF or a geo restriction blocks the request:
    # titled "ERROR: The request could not be satisfied", signed "Generated by cloudfront
    # (CloudFront)" (repost.aws/knowledge-center/cloudfront-troubleshoot-403-errors). Reported for
    # tribunnews.com and beritasatu.com, 403 for non-browser user agents
    # (the project's notes on Indonesian sites). A 403 only: the same page with 502 or 504 tells of a
    # broken origin, not of a refusal.
    _sig(
        "cloudfront-403",
        "cloudfront",
        "CloudFront 403 page (request blocked)",
        statuses=(403,),
        body=_title(r"ERROR: The request could not be satisfied"),
    ),
    # Akamai's edge refusal: a page titled "Access Denied", "You don't have permission to access
    # ... on this server. Reference #18.xxxxxxxx.nnnnnnnnnn.xxxxxxx" (Reference #18 is
    # ERR_ACCESS_DENIED; the page HTML-escapes it as "Reference&#32;&#35;18&#46;"), with a link to
    # errors.edgesuite.net, from a server named AkamaiGHost (community.akamai.com "Why is Akamai
    # blocking me?"; wafw00f plugins/kona.py).
    _sig("akamai-server", "akamai", "403 from server AkamaiGHost", statuses=(403,), header=("server", r"^AkamaiGHost")),
    _sig(
        "akamai-denied",
        "akamai",
        "Akamai Access Denied page",
        statuses=(403,),
        body=r"(?s)"
        + _title("(?i:access denied)")
        + r".{0,2000}?(?:Reference(?:\s|&#32;)*(?:#|&#35;)18(?:\.|&#46;)|errors(?:\.|&#46;)edgesuite(?:\.|&#46;)net)",
    ),
    # Akamai Bot Manager's behavioural challenge: an interstitial around
    # <div id="sec-if-cpt-container">, served with 200 too ("Powered and protected by Akamai").
    _sig(
        "akamai-challenge",
        "akamai",
        "Akamai Bot Manager challenge page",
        body=r"<(?i:div)[^>]*\s(?i:id)=[\"']?sec-if-cpt-container",
        needle="sec-if-cpt-container",
    ),
    # Imperva (Incapsula): the challenge or block page is an iframe of /_Incapsula_Resource?...
    # around "Request unsuccessful. Incapsula incident ID: ...", often with a 200 (wafw00f plugins/
    # incapsula.py). Normal pages of Imperva's sites load a <script src="/_Incapsula_Resource?..">
    # too: only the iframe counts.
    _sig(
        "imperva-interstitial",
        "imperva",
        "Imperva (Incapsula) challenge page",
        body=r"<(?i:iframe)[^>]*\s" + _SRC + r"/_Incapsula_Resource\?",
        needle="_Incapsula_Resource",
    ),
    # DataDome: its block page (403, sometimes 401) loads the slider or device check from
    # captcha-delivery.com, configured by an inline `var dd={...}` (docs.datadome.co "DataDome
    # Slider", "Device Check").
    _sig(
        "datadome",
        "datadome",
        "DataDome captcha page",
        statuses=(401, 403, 405),
        body=_SRC + r"https://[a-z.-]*captcha-delivery\.com/|<(?i:script)[^>]*>\s*var dd\s*=\s*\{",
    ),
    # Sucuri's firewall: its block page (titled "Sucuri WebSite Firewall - Access Denied", styled
    # by sucuri-firewall-block.css; header x-sucuri-block) and its JavaScript challenge, a script
    # that assigns `sucuri_cloudproxy_js` and S='<base64>' and reloads the page (wafw00f
    # plugins/sucuri.py).
    _sig("sucuri-header", "sucuri", "header x-sucuri-block", header=("x-sucuri-block", r".")),
    _sig(
        "sucuri-block",
        "sucuri",
        "Sucuri firewall block page",
        statuses=(403,),
        body=_title(r"(?i:sucuri website firewall - (?:cloudproxy - )?access denied)")
        + r"|(?i:href)\s*=\s*[\"']?[^\"' >]*sucuri[-_]firewall[-_]block\.css",
    ),
    _sig(
        "sucuri-challenge",
        "sucuri",
        "Sucuri JavaScript challenge page",
        body=r"<(?i:script)>[^<]{0,200}sucuri_cloudproxy_js\s*=\s*''\s*,\s*S\s*=\s*'",
        needle="sucuri_cloudproxy_js",
    ),
    # PerimeterX (HUMAN): the block page, titled "Access to this page has been denied", with its
    # <div id="px-captcha"> (PerimeterX's enforcer docs, "Custom Block Page"). `window._pxAppId`
    # is on every page of a protected site: not a marker.
    _sig(
        "perimeterx",
        "perimeterx",
        "PerimeterX block page",
        statuses=(403,),
        body=_title(r"Access to this page has been denied\.?") + r"|<(?i:div)[^>]*\s(?i:id)=[\"']?px-captcha\b",
    ),
    # Any other firewall: a 403 titled as a refusal and nothing more (Akamai's and others'
    # "Access Denied", Distil's and Imperva's "Pardon Our Interruption", F5's "Request Rejected").
    _sig(
        "access-denied",
        "waf",
        "403 page titled as a refusal",
        statuses=(403,),
        body=_title(
            r"(?i:access denied|request blocked|request rejected|attention required!?|pardon our interruption)\.?"
        ),
    ),
)


_HEADER_NAMES = frozenset(sig.header[0] for sig in SIGNATURES if sig.header)


def _headers(headers: Mapping | Iterable[tuple]) -> dict[str, list[bytes]]:
    """The values of the headers the signatures read, by lower-case name, from Scrapy's Headers
    (bytes names, lists of bytes), an http.client message, a plain mapping or a list of (name,
    value) pairs, of str or bytes."""
    pairs = ((name, headers[name]) for name in headers) if isinstance(headers, Mapping) else headers
    found: dict[str, list[bytes]] = {}
    for name, value in pairs:
        key = (name.decode("latin-1") if isinstance(name, bytes) else name).lower()
        if key not in _HEADER_NAMES or value is None:
            continue
        values = value if isinstance(value, list | tuple) else [value]
        found.setdefault(key, []).extend(v if isinstance(v, bytes) else str(v).encode("latin-1") for v in values)
    return found


def challenge(status: int, headers: Mapping | Iterable[tuple], head: bytes | str) -> Challenge | None:
    """The challenge or block page an answer is, or None for an answer that is the site's own.
    `head`: the body's first bytes (HEAD_BYTES are looked at; more is cut off here)."""
    if isinstance(head, str):
        head = head.encode("utf-8", "replace")
    head = head[:HEAD_BYTES]
    named = _headers(headers)
    for sig in SIGNATURES:
        if sig.statuses and status not in sig.statuses:
            continue
        if sig.header and not any(sig.header[1].search(v.strip()) for v in named.get(sig.header[0], ())):
            continue
        if sig.needle and sig.needle not in head:
            continue
        if sig.body and not sig.body.search(head):
            continue
        return Challenge(sig.vendor, sig.name, sig.evidence)
    return None
