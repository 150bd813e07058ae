"""URL canonicalisation and article identity, driven by the site profile.

Two origins meet here: the site's canonical origin (what is written) and an optional
mirror (what is fetched, `--base-url`). Every URL is first mapped to the origin, then
canonicalised; only requests are mapped back to the mirror.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from extract import channels, ids
from extract.profiles import GENERIC, SiteProfile


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


def _written_origin(parts, profile: SiteProfile, mirror: str | None) -> tuple[str, str]:
    """(scheme, netloc) a split URL is written with: the profile's origin when the site (any of
    its hosts) or the mirror serves it, else its own in lower case."""
    on_mirror = mirror is not None and f"{parts.scheme}://{parts.netloc}".lower() == _origin_of(mirror)
    if profile.origin and ((parts.hostname or "").lower() in profile.hosts or on_mirror):
        origin = urlsplit(profile.origin)
        return origin.scheme, origin.netloc
    return parts.scheme.lower(), parts.netloc.lower()


def to_origin(url: str, profile: SiteProfile, mirror: str | None = None) -> str:
    """Express `url` on the profile's canonical origin when it is served by the site or the mirror;
    ValueError when it is no well-formed URL."""
    parts = urlsplit(url)
    parts.port  # noqa: B018 (raises ValueError for a port that is no port)
    return urlunsplit((*_written_origin(parts, profile, mirror), parts.path or "/", parts.query, parts.fragment))


def to_fetch(url: str, profile: SiteProfile, mirror: str | None = None) -> str:
    """The URL to request for an origin URL: the same path on the mirror when there is one."""
    if not mirror:
        return url
    parts = urlsplit(url)
    if profile.origin and _origin_of(url) != _origin_of(profile.origin):
        return url
    m = urlsplit(mirror)
    return urlunsplit((m.scheme, m.netloc, parts.path, parts.query, ""))


def fetchable(url: str, profile: SiteProfile, mirror: str | None = None) -> bool:
    """May `url` be requested? Only over http(s), to one of the site's hosts on its default
    port, or to the mirror (scheme, host and port exactly): never a local file, another host,
    or another service of the mirror's machine; never a URL that does not parse."""
    try:
        parts = urlsplit(url)
    except ValueError:  # `http://[bad]/x`: refused like any other unfetchable URL
        return False
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or parts.username is not None or parts.password is not None:
        return False
    if mirror and f"{scheme}://{parts.netloc}".lower() == _origin_of(mirror):
        return True
    try:
        port = parts.port
    except ValueError:  # a port that is not a number
        return False
    return (parts.hostname or "").lower() in profile.hosts and port in (None, {"http": 80, "https": 443}[scheme])


def strip_tracking(url: str, profile: SiteProfile) -> str:
    """Drop tracking parameters and the fragment, keep meaningful query parameters in order."""
    if "?" not in url and "#" not in url:
        return url
    parts = urlsplit(url)
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not profile.tracking_re.match(k.lower())
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def article_ref(url: str, profile: SiteProfile, mirror: str | None = None) -> ArticleRef | None:
    """The canonical identity of an article URL, or None when `url` is not an article of the site;
    ValueError when it is no well-formed URL (`http://[bad]/x`, a port out of range).

    Mobile host, AMP path, `?p=all`, tracking parameters, fragments, trailing slash and
    host case all collapse to one URL on the origin. (`to_origin` then a check, with the
    URL split once: this runs several times for every parsed page.)
    """
    parts = urlsplit(url.strip())
    parts.port  # noqa: B018 (raises ValueError for a port that is no port: `host:99999`, `host:x`)
    scheme, netloc = _written_origin(parts, profile, mirror)
    if profile.origin and f"{scheme}://{netloc}".lower() != _origin_of(profile.origin):
        return None
    path = parts.path or "/"
    if "//" in path:
        path = re.sub(r"/{2,}", "/", path)
    if profile.amp_prefix and (path == profile.amp_prefix or path.startswith(profile.amp_prefix + "/")):
        path = path[len(profile.amp_prefix) :] or "/"
    if profile is GENERIC:
        return _generic_ref(scheme, netloc, parts, path.rstrip("/") or "/")
    match = profile.article_match(path)
    if not match or match.groupdict().get("channel") in profile.excluded_channels:
        return None
    path = path.rstrip("/")
    # An article URL carries no meaningful query: ?p=all, utm_*, and the like all go.
    canonical = urlunsplit((scheme, netloc, path, "", ""))
    groups = match.groupdict()
    return ArticleRef(groups["id"], canonical, groups.get("channel"), groups.get("subchannel"))


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
