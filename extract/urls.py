"""URL canonicalisation and article identity, driven by the site profile.

Two places meet here: the site's own hosts (what is written: its origin, or for a site whose
articles keep their hosts, each article's host) and an optional mirror (what is fetched,
`--base-url`: one local server for every host of the site, told the host in the Host header).
Every URL is first mapped onto the site, then canonicalised; only requests go to the mirror.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from extract import channels, ids
from extract.sites.profile import GENERIC, SiteProfile


@dataclass(frozen=True)
class ArticleRef:
    article_id: str
    url: str
    channel: str | None
    subchannel: str | None
    # A page without a profile: the URL shape that gave the id (`extract.ids`;
    # "query" for an id parameter, None for a hashed URL), and where in the path it begins.
    shape: str | None = None
    id_start: int | None = None


def http_origin(value: str) -> str:
    """`scheme://host` of an http(s) URL (a mirror, a page); ValueError naming the value otherwise."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"expected an http(s) URL, got {value!r}")
    return f"{parts.scheme}://{parts.netloc}"


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _written_origin(parts, profile: SiteProfile, mirror: str | None, host: str | None = None) -> tuple[str, str]:
    """(scheme, netloc) a split URL is written with. A URL of one of the site's hosts, or of the
    mirror, is written on the site's origin, or (a site whose articles keep their hosts) on its
    own host (or `host`, the one a mirror served it for), the mobile copy's host mapped by
    `same_host`, with the site's scheme; any other URL keeps its own, in lower case."""
    netloc = parts.netloc.lower()
    on_mirror = mirror is not None and f"{parts.scheme}://{netloc}" == _origin_of(mirror)
    hostname = (host or "").lower() if on_mirror else (parts.hostname or "").lower()
    if not on_mirror and not profile.serves(hostname):
        return parts.scheme.lower(), netloc
    if profile.origin:
        origin = urlsplit(profile.origin)
        return origin.scheme, origin.netloc
    home = urlsplit(profile.home)
    hostname = hostname or (home.hostname or "")
    return home.scheme or "https", profile.same_hosts.get(hostname, hostname)


def to_origin(url: str, profile: SiteProfile, mirror: str | None = None, host: str | None = None) -> str:
    """Express `url` as the site writes it (its origin, or its own host) when the site or the
    mirror serves it (`host`: the site's host a mirror URL was served for); ValueError when it
    is no well-formed URL."""
    parts = urlsplit(url)
    parts.port  # noqa: B018 (raises ValueError for a port that is no port)
    scheme, netloc = _written_origin(parts, profile, mirror, host)
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, parts.fragment))


def to_fetch(url: str, profile: SiteProfile, mirror: str | None = None) -> tuple[str, str | None]:
    """(URL to request, Host header) for a URL as the site writes it: the same path on the mirror,
    with the site's host in the Host header (one mirror serves every host of a site), when
    there is a mirror and the site serves the URL; the URL itself otherwise."""
    if not mirror:
        return url, None
    parts = urlsplit(url)
    if not profile.serves((parts.hostname or "").lower()):
        return url, None
    m = urlsplit(mirror)
    return urlunsplit((m.scheme, m.netloc, parts.path, parts.query, "")), parts.netloc


def fetchable(url: str, profile: SiteProfile, mirror: str | None = None) -> bool:
    """May `url` be requested? Only over http(s): with a mirror, only to the mirror (scheme,
    host and port exactly); else only to one of the site's hosts on its default port. Never a
    local file, another host, or another service of the mirror's machine; never a URL that does
    not parse."""
    try:
        parts = urlsplit(url)
    except ValueError:  # `http://[bad]/x`: refused like any other unfetchable URL
        return False
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or parts.username is not None or parts.password is not None:
        return False
    if mirror:
        return f"{scheme}://{parts.netloc}".lower() == _origin_of(mirror)
    try:
        port = parts.port
    except ValueError:  # a port that is not a number
        return False
    return profile.serves((parts.hostname or "").lower()) and port in (None, {"http": 80, "https": 443}[scheme])


def strip_tracking(url: str, profile: SiteProfile) -> str:
    """Drop tracking parameters and the fragment, keep meaningful query parameters in order."""
    if "?" not in url and "#" not in url:
        return url
    parts = urlsplit(url)
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not profile.tracking_re.match(k.lower())
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _fill(template: str, values: dict) -> str:
    return template.format_map(values)


def article_ref(
    url: str, profile: SiteProfile, mirror: str | None = None, host: str | None = None
) -> ArticleRef | None:
    """The canonical identity of an article URL, or None when `url` is not an article of the site;
    ValueError when it is no well-formed URL (`http://[bad]/x`, a port out of range).

    Mobile host, AMP path, `?p=all`, tracking parameters, fragments, trailing slash and host
    case all collapse to one URL; the id is the first matching pattern's template over its
    groups (or a hash of the canonical URL), so that one article has one id whatever URL named
    it. (`to_origin` then a check, with the URL split once: this runs several times for every
    parsed page.)
    """
    parts = urlsplit(url.strip())
    parts.port  # noqa: B018 (raises ValueError for a port that is no port: `host:99999`, `host:x`)
    scheme, netloc = _written_origin(parts, profile, mirror, host)
    hostname = netloc.rpartition("@")[2].partition(":")[0]
    path = parts.path or "/"
    if "//" in path:
        path = re.sub(r"/{2,}", "/", path)
    if profile.amp_prefix and (path == profile.amp_prefix or path.startswith(profile.amp_prefix + "/")):
        path = path[len(profile.amp_prefix) :] or "/"
    if profile.generic:
        return _generic_ref(scheme, netloc, parts, path.rstrip("/") or "/")
    if not profile.serves(hostname):
        return None
    found = profile.article_match(path)
    if found is None:
        return None
    pattern, match = found
    path = path.rstrip("/")
    # An article URL carries no meaningful query (?p=all, utm_*...) unless the site says so.
    kept = [(k, v) for k, v in parse_qsl(parts.query) if k in profile.keep_query] if profile.keep_query else []
    canonical = urlunsplit((scheme, netloc, path, urlencode(kept), ""))
    values = {k: v or "" for k, v in match.groupdict().items()}
    values.update(host=hostname, host1=hostname.split(".")[0])
    if pattern.id == "hash":
        article_id = hashlib.sha1(canonical.encode()).hexdigest()[:16]
    else:
        article_id = _fill(pattern.id, values)
    channel = _fill(pattern.channel, values) if pattern.channel else values.get("channel") or None
    subchannel = _fill(pattern.subchannel, values) if pattern.subchannel else values.get("subchannel") or None
    return ArticleRef(article_id, canonical, channel or None, subchannel or None)


def _generic_ref(scheme: str, netloc: str, parts, path: str) -> ArticleRef:
    """A page without a profile: every URL is one, its id the URL's own (`ids.SHAPES`), an id
    parameter of its query, else a hash of its host, path and the query parameters that name
    a page; its id is written under its host (`news.detik.com:7712345`), every GENERIC page
    sharing the site `generic`."""
    host = parts.hostname or ""
    found = ids.path_id(path)
    query = ids.query_id(parts.query) if found is None else None
    kept = ""
    if found:
        local, shape, start = found.value, found.shape, found.start
    elif query:
        local, shape, start = query[1], "query", None
        kept = ids.kept_query(parts.query, GENERIC.tracking_re)  # Joomla needs its other parameters
    else:
        kept = ids.kept_query(parts.query, GENERIC.tracking_re)  # `berita.php?kode=abc` is a page
        local, shape, start = ids.hashed_id(host, path, kept), None, None
    canonical = urlunsplit((scheme, netloc, path, kept, ""))
    channel = channels.from_path(path, start)
    if not channel:
        label = channels.from_host(host)
        channel = [label] if label else []
    return ArticleRef(
        f"{ids.host_key(host)}:{local}",
        canonical,
        channel[0] if channel else None,
        channel[1] if len(channel) > 1 else None,
        shape,
        start,
    )


def resolve(base: str, href: str | None) -> str | None:
    """Absolute http(s) URL for a link, or None for mailto:, javascript:, empty links."""
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "whatsapp:")):
        return None
    if href[:8].lower().startswith(("http://", "https://")):  # most links: urljoin would only re-assemble them
        return href
    # A listing's links, root-relative: urljoin (~4 us) would only prefix the origin. It also
    # drops an empty query or fragment and resolves dot segments, hence the exclusions.
    if href[0] == "/" and href[1:2] != "/" and "/." not in href and "?" not in href and "#" not in href:
        parts = urlsplit(base)
        if parts.scheme in ("http", "https"):
            return f"{parts.scheme}://{parts.netloc}{href}"
    absolute = urljoin(base, href)
    return absolute if absolute.startswith(("http://", "https://")) else None
