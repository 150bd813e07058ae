"""Render schedules/default.toml from the shipped sites: for every site a crawl of its latest
articles every 30 minutes and a nightly backfill of its last two days, the sites staggered so
that their crawls do not all start at once, then the snapshot. `python tools/default_schedule.py`
writes the file; `--check` exits 1 when it is not what the shipped sites say (a test checks)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract.sites import SHIPPED, load_sites  # noqa: E402

TARGET = ROOT / "schedules" / "default.toml"
HEAD = """\
# warta's schedule: edit freely, then restart `warta schedule run`. Rendered from the shipped
# sites by `python tools/default_schedule.py` (a site added to extract/sites/ gets its jobs there).
# Times are Asia/Jakarta (WIB) unless a job gives `timezone`.

[defaults]
timezone = "Asia/Jakarta"
timeout_minutes = 25          # a crawl still running after this is stopped
misfire_grace_minutes = 120   # after downtime, a missed run still happens (once) within this
"""
SNAPSHOT = """
[[job]]
id = "snapshot"
kind = "snapshot"             # publish the partitions the day's crawls touched
cron = "15 0 * * *"           # 00:15 WIB
timeout_minutes = 60
"""


def render() -> str:
    sites = [name for name in load_sites().names() if load_sites().files[name].parent == SHIPPED]
    out = [HEAD]
    for i, name in enumerate(sites):
        minute = i % 30  # a site a minute: every site's latest crawl starts at its own minute
        hour, night_minute = 1 + (i * 5) // 60, (i * 5) % 60  # backfills from 01:00 WIB, 5 minutes apart
        out.append(
            f"""
[[job]]
id = "{name}-latest"
kind = "crawl"                # latest articles: feeds, news sitemaps, latest listings
site = "{name}"
cron = "{minute},{minute + 30} * * * *"

[[job]]
id = "{name}-backfill"
kind = "backfill"             # every article of the last two days: date indexes and sitemaps
site = "{name}"
days = 2
cron = "{night_minute} {hour} * * *"
timeout_minutes = 120
"""
        )
    out.append(SNAPSHOT)
    return "".join(out)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if TARGET.read_text() != text:
            print(f"{TARGET.relative_to(ROOT)} is not what the shipped sites say: run python tools/default_schedule.py")
            return 1
        return 0
    TARGET.write_text(text)
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
