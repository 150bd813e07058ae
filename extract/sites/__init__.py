"""Site definitions: one TOML file a site, validated into one typed profile (docs/sites.md).

The shipped sites are the `.toml` files beside this module. A user's folders add sites and
override a shipped one of the same name: `--sites DIR` (the `extra_dirs` here), WARTA_SITES
(folders separated by `:`), a schedule file's `sites`. A page of a site without a definition
goes through `GENERIC`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

from extract.sites.files import SiteFileError, read_site_file
from extract.sites.profile import GENERIC, ArticlePattern, SiteProfile

__all__ = ["GENERIC", "SHIPPED", "SiteFileError", "SiteProfile", "Sites", "get_site", "load_sites", "site_for_url"]

SHIPPED = Path(__file__).parent


def profile_of(fields: dict) -> SiteProfile:
    """A SiteProfile from a site file's fields (`read_site_file`)."""
    fields = dict(fields)
    fields["articles"] = tuple(ArticlePattern(**a) for a in fields["articles"])
    if "editor_code" in fields:  # the site's own code form, on its own line too
        fields.setdefault("editor_code_alone", None)
    fields.setdefault("home", fields.get("origin", ""))
    return SiteProfile(**fields)


def read_site(path: str | os.PathLike) -> SiteProfile:
    """The profile of one site file (SiteFileError with its file, line and reason)."""
    return profile_of(read_site_file(path))


@dataclass(frozen=True)
class Sites:
    """The sites a run knows: name -> profile, and the file each came from."""

    profiles: Mapping[str, SiteProfile]
    files: Mapping[str, Path]

    def __contains__(self, name: object) -> bool:
        return name in self.profiles

    def names(self) -> list[str]:
        return sorted(self.profiles)

    def get(self, name: str) -> SiteProfile:
        try:
            return self.profiles[name]
        except KeyError:
            raise KeyError(f"unknown site {name!r} (known: {', '.join(self.names())})") from None

    def for_url(self, url: str) -> SiteProfile:
        """The site whose hosts serve `url`, else GENERIC."""
        host = (urlsplit(url).hostname or "").lower()
        for profile in self.profiles.values():
            if profile.serves(host):
                return profile
        return GENERIC


def user_dirs(extra: Iterable[str | os.PathLike] = ()) -> tuple[str, ...]:
    """The user's site folders: WARTA_SITES's, then `extra`'s (later ones override earlier)."""
    env = [d for d in os.environ.get("WARTA_SITES", "").split(os.pathsep) if d]
    return tuple(str(Path(d)) for d in (*env, *extra))


def _files(dirs: tuple[str, ...]) -> tuple[tuple[str, str, int], ...]:
    """(name, path, mtime) of the site files in force: a later folder's file overrides."""
    files: dict[str, tuple[str, str, int]] = {}
    for folder in (str(SHIPPED), *dirs):
        path = Path(folder)
        if folder != str(SHIPPED) and not path.is_dir():
            raise SiteFileError(f"{path}: no such folder of site definitions")
        for file in sorted(path.glob("*.toml")):
            files[file.stem] = (file.stem, str(file), file.stat().st_mtime_ns)
    return tuple(sorted(files.values()))


# Read again only when a file changed: the profiles keep their compiled rules (selectors,
# patterns) for as long as the process uses them.
@lru_cache(maxsize=8)
def _load(files: tuple[tuple[str, str, int], ...]) -> Sites:
    profiles = {name: read_site(path) for name, path, _mtime in files}
    return Sites(MappingProxyType(profiles), MappingProxyType({name: Path(path) for name, path, _ in files}))


def load_sites(extra_dirs: Iterable[str | os.PathLike] = ()) -> Sites:
    """The shipped sites and the user's (SiteFileError naming the file, line and reason of the
    first bad definition)."""
    return _load(_files(user_dirs(extra_dirs)))


def get_site(name: str, extra_dirs: Iterable[str | os.PathLike] = ()) -> SiteProfile:
    return load_sites(extra_dirs).get(name)


def site_for_url(url: str, extra_dirs: Iterable[str | os.PathLike] = ()) -> SiteProfile:
    return load_sites(extra_dirs).for_url(url)
