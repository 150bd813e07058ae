"""A generated medcom-style site (reference layout of shared/medcom-notes.md) and a small
server for it on 127.0.0.1: the test bed of the test suite, the benchmarks and `warta demo`."""

from demosite.generator import SiteModel, generate_site
from demosite.server import DemoServer

__all__ = ["DemoServer", "SiteModel", "generate_site"]
