"""A generated medcom-style site (reference layout of shared/medcom-notes.md) and a small
server for it on 127.0.0.1: the test bed of the test suite, the benchmarks and `warta demo`;
and generated mirrors of many Indonesian news sites from their styles (demosite/styles/), all
served by one server (`generate_sites`, `SitesServer`)."""

from demosite.generator import SiteModel, generate_site
from demosite.mirrors import MirrorSite, SitesServer, generate_sites
from demosite.server import DemoServer

__all__ = ["DemoServer", "MirrorSite", "SiteModel", "SitesServer", "generate_site", "generate_sites"]
