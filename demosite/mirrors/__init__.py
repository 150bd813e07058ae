"""Generated mirrors of many Indonesian news sites, each following its documented conventions
(a style file per site in demosite/styles/), and one server for all of them."""

from demosite.mirrors.generate import generate_mirror, generate_sites
from demosite.mirrors.model import MirrorArticle, MirrorSite
from demosite.mirrors.server import SitesServer
from demosite.mirrors.style import Style, StyleError, available, load

__all__ = [
    "MirrorArticle",
    "MirrorSite",
    "SitesServer",
    "Style",
    "StyleError",
    "available",
    "generate_mirror",
    "generate_sites",
    "load",
]
