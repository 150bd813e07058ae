"""Published partitions: atomic publish, manifests, verification, on either backend.

A partition is `snapshots/site=<site>/date=<day>/part-0.parquet` plus `_manifest.json`
(rows, schema version, sha256, build time). Publishing writes the file whole, then the
manifest (`pipeline.store.backends`): a reader sees the old partition or the new one, never half of
one; a build killed between the two leaves them disagreeing, which the next build notices.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Callable
from datetime import datetime, timezone

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.store.completeness import archived_days, name_ids, pending_ids, unpublished
from pipeline.store.datadir import DataDir
from pipeline.store.schema import SCHEMA_VERSION, file_schema

logger = logging.getLogger(__name__)

PART_NAME = "part-0.parquet"
MANIFEST_NAME = "_manifest.json"
# Per site, every day ever published (rows, sha256): a partition that vanished is noticed.
LEDGER_NAME = "_published.json"
ROW_GROUP_SIZE = 10_000


def write_parquet(table: pa.Table, where) -> None:
    """The partition file format (`where`: a path or a buffer)."""
    pq.write_table(table, where, compression="zstd", row_group_size=ROW_GROUP_SIZE, write_statistics=True)


def new_manifest(table: pa.Table, sha256: str) -> dict:
    return {
        "rows": table.num_rows,
        "schema_version": SCHEMA_VERSION,
        "file": PART_NAME,
        "sha256": sha256,
        "built_at": datetime.now(timezone.utc).isoformat(),
    }


def manifest_problems(where: str, manifest: dict, sha256: str | None, num_rows: Callable[[], int]) -> list[str]:
    """A partition's file against its manifest (`sha256` None: the file is missing)."""
    if sha256 is None:
        return [f"{where}: {manifest.get('file', PART_NAME)} missing"]
    if sha256 != manifest["sha256"]:
        return [f"{where}: checksum differs from manifest"]
    try:
        rows = num_rows()
    except Exception as exc:  # any unreadable file is a problem to report, not to raise
        return [f"{where}: unreadable ({exc})"]
    return [] if rows == manifest["rows"] else [f"{where}: {rows} rows, manifest says {manifest['rows']}"]


def _read_table(data: bytes, columns: list[str] | None = None) -> pa.Table:
    # Not with pyarrow's thread pool: after reading an in-memory file with it, pyarrow 26
    # aborted the interpreter at exit ("terminate called without an active exception", exit
    # 134) in 4 to 11 runs of 30; with use_threads=False, in none.
    return pq.read_table(io.BytesIO(data), columns=columns, use_threads=False)


def _ids(data: bytes | None) -> set[str] | None:
    """The article ids of a partition file (None when there is none or it does not read)."""
    try:
        return None if data is None else set(_read_table(data, ["article_id"]).column("article_id").to_pylist())
    except Exception:  # unreadable: the caller treats it as broken
        return None


def conform(table: pa.Table) -> pa.Table:
    schema = file_schema()
    # Older partitions may lack later columns: add them as nulls so rows merge.
    for f in schema:
        if f.name not in table.column_names:
            table = table.append_column(f, pa.nulls(table.num_rows, f.type))
    return table.select(schema.names).cast(schema)


class Partitions:
    """The partitions of one data dir."""

    def __init__(self, data_dir: "str | DataDir"):
        self.data_dir = DataDir.of(data_dir)
        self.store = self.data_dir.store

    def _key(self, site: str, day: str, name: str) -> str:
        return f"{DataDir.partition(site, day)}/{name}"

    def _read(self, site: str, day: str, name: str) -> bytes | None:
        try:
            return self.store.read_bytes(self._key(site, day, name))
        except FileNotFoundError:
            return None

    def _ledger_key(self, site: str) -> str:
        return f"{DataDir.SNAPSHOTS}/site={site}/{LEDGER_NAME}"

    def ledger(self, site: str) -> dict[str, dict]:
        """day -> {rows, sha256} of every partition of `site` ever published (empty if unreadable)."""
        return self.ledger_state(site)[0]

    def ledger_state(self, site: str) -> tuple[dict[str, dict], str | None]:
        """(the ledger's days, None) or ({}, "missing" / "damaged")."""
        try:
            days = json.loads(self.store.read_bytes(self._ledger_key(site)))["days"]
        except FileNotFoundError:
            return {}, "missing"
        except (ValueError, KeyError, TypeError):
            return {}, "damaged"
        valid = isinstance(days, dict) and all(
            isinstance(v, dict) and isinstance(v.get("rows"), int) for v in days.values()
        )
        return (days, None) if valid else ({}, "damaged")

    def ledger_problem(self, site: str) -> str | None:
        """ "damaged", or "missing" while the site has partitions (a new site has no ledger yet)."""
        state = self.ledger_state(site)[1]
        if state == "missing" and not any(s == site for s, _ in self.existing()):
            return None
        return state

    def rebuild_ledger(self, site: str) -> dict[str, dict]:
        """Rewrite the ledger from the manifests of the partitions there are (the days that
        vanished meanwhile are known to the raw archive's index, `pipeline.store.completeness`)."""
        days = self._manifest_days(site)
        self._write_ledger(site, days)
        return days

    def _manifest_days(self, site: str) -> dict[str, dict]:
        days = {}
        for s, day in self.existing():
            if s == site and (manifest := self.manifest(site, day)) is not None:
                days[day] = {"rows": manifest["rows"], "sha256": manifest["sha256"]}
        return days

    def _write_ledger(self, site: str, days: dict[str, dict]) -> None:
        self.store.write_whole(self._ledger_key(site), json.dumps({"days": dict(sorted(days.items()))}).encode())

    def sites(self) -> list[str]:
        keys = self.store.list(f"{DataDir.SNAPSHOTS}/site=*")
        return sorted(k.split("/")[1].removeprefix("site=") for k in keys)

    def published_ids(self, site: str) -> dict[str, str]:
        """article id -> day of every row of `site` in a partition that reads."""
        found = {}
        for s, day in self.existing():
            if s == site:
                found.update(dict.fromkeys(self.article_ids(site, day) or (), day))
        return found

    def set_aside(self, site: str, day: str) -> str | None:
        """Move an unreadable partition file out of the dataset (`.part-0.parquet.damaged-<UTC
        time>` beside it, which readers skip) and drop its manifest; the new key, or None
        when there is no file."""
        if (data := self._read(site, day, PART_NAME)) is None:
            return None
        aside = self._key(site, day, f".{PART_NAME}.damaged-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}")
        self.store.write_whole(aside, data)
        self.remove(site, day)
        return aside

    def article_ids(self, site: str, day: str) -> set[str] | None:
        """The ids a partition holds (None when it cannot be read)."""
        return _ids(self._read(site, day, PART_NAME))

    def remove(self, site: str, day: str) -> None:
        for name in (PART_NAME, MANIFEST_NAME):
            try:
                self.store.remove(self._key(site, day, name))
            except FileNotFoundError:
                pass

    def broken(self) -> list[tuple[str, str]]:
        """(site, day) of partitions that are missing (per the ledger), unreadable or disagree
        with their manifest."""
        found = {key for key in self.existing() if self.problems(*key)}
        present = set(self.existing())
        for site in self.sites():
            found |= {(site, day) for day in self.ledger(site) if (site, day) not in present}
        return sorted(found)

    def remove_stale(self) -> None:
        for stale in self.store.list(f"{DataDir.partition()}/.*.tmp"):
            self.store.remove(stale)  # a build killed mid-publish left it; never visible

    def existing(self) -> list[tuple[str, str]]:
        """(site, day) of every partition with a file or a manifest."""
        found = set()
        for name in (PART_NAME, MANIFEST_NAME):
            for key in self.store.list(f"{DataDir.partition()}/{name}"):
                site, day = key.split("/")[1:3]
                found.add((site.removeprefix("site="), day.removeprefix("date=")))
        return sorted(found)

    def read(self, site: str, day: str) -> pa.Table | None:
        data = self._read(site, day, PART_NAME)
        return None if data is None else conform(_read_table(data))

    def manifest_matches(self, site: str, day: str) -> bool:
        """The manifest says what the file is: its checksum and its row count."""
        return not self.problems(site, day)

    def manifest(self, site: str, day: str) -> dict | None:
        """The partition's manifest, or None when it is missing, empty, not JSON or lacks a field."""
        try:
            manifest = json.loads(self._read(site, day, MANIFEST_NAME) or b"")
        except ValueError:
            return None
        valid = (
            isinstance(manifest, dict)
            and isinstance(manifest.get("sha256"), str)
            and isinstance(manifest.get("rows"), int)
            and isinstance(manifest.get("file", PART_NAME), str)
        )
        return manifest if valid else None

    def without_manifest(self) -> list[tuple[str, str]]:
        """Partitions whose file is there but whose manifest is missing or unreadable (a build
        killed between the two, a damaged file): cheap to find, rewritten by every build."""
        found = []
        for key in self.store.list(f"{DataDir.partition()}/{PART_NAME}"):
            site, day = (part.split("=", 1)[1] for part in key.split("/")[1:3])
            if self.manifest(site, day) is None:
                found.append((site, day))
        return found

    def publish(self, site: str, day: str, table: pa.Table) -> None:
        """Replace the partition's file whole, then its manifest."""
        buffer = io.BytesIO()
        write_parquet(table, buffer)
        data = buffer.getvalue()
        manifest = new_manifest(table, hashlib.sha256(data).hexdigest())
        self.store.write_whole(self._key(site, day, PART_NAME), data)
        self.store.write_whole(self._key(site, day, MANIFEST_NAME), json.dumps(manifest, indent=1).encode())
        days, problem = self.ledger_state(site)
        if problem:  # never rewritten from nothing: the other days would drop out of it
            days = self._manifest_days(site)
            if problem == "damaged" or set(days) - {day}:
                logger.warning("site=%s: %s was %s; rebuilt from %d manifests", site, LEDGER_NAME, problem, len(days))
        days[day] = {"rows": manifest["rows"], "sha256": manifest["sha256"]}
        self._write_ledger(site, days)

    def problems(self, site: str, day: str) -> list[str]:
        return self.check(site, day)[0]

    def check(self, site: str, day: str, ids: bool = False) -> tuple[list[str], set[str] | None]:
        """The partition's problems against its manifest, and with `ids` the article ids it
        holds (None when it does not read), from one read of its file."""
        where = f"site={site}/date={day}"
        manifest = self.manifest(site, day)
        data = self._read(site, day, (manifest or {}).get("file", PART_NAME))
        held = _ids(data) if ids else None
        if manifest is None:
            return [f"{where}: no manifest (missing, empty or not a manifest)"], held
        found = manifest_problems(
            where,
            manifest,
            hashlib.sha256(data).hexdigest() if data is not None else None,
            lambda: pq.ParquetFile(io.BytesIO(data)).metadata.num_rows,
        )
        return found, held


def verify(data_dir: "str | DataDir") -> tuple[int, list[str]]:
    """(partitions checked, problems found): every partition against its manifest; every day
    the site ledger lists as published must still be there, and every article the raw
    archive's index has staged must be published (or still staged), so that a lost day is
    found without the ledger too."""
    archived = archived_days(data_dir)
    pending = pending_ids(data_dir) if archived else {}
    partitions = Partitions(data_dir)
    existing = partitions.existing()
    checked = {key: partitions.check(*key, ids=bool(archived)) for key in existing}
    problems = [problem for found, _ in checked.values() for problem in found]
    present = set(existing)
    reported = {key for key, (found, _) in checked.items() if found}  # its rows cannot be trusted
    sites = sorted(set(partitions.sites()) | {site for site, _ in archived})
    for site in sites:
        if state := partitions.ledger_problem(site):
            problems.append(f"site={site}: {LEDGER_NAME} {state}; `warta snapshot --repair` rewrites it")
        for day in partitions.ledger(site):
            if (site, day) not in present:
                reported.add((site, day))
                problems.append(f"site={site}/date={day}: missing (published before, per {LEDGER_NAME})")
    published: dict[str, dict[str, str]] = {}
    for (site, day), (_, held) in checked.items():
        published.setdefault(site, {}).update(dict.fromkeys(held or (), day))
    for (site, day), ids in sorted(unpublished(archived, pending, published).items()):
        if (site, day) in reported:
            continue
        if (site, day) not in present:
            problems.append(f"site={site}/date={day}: missing (the raw archive has {len(ids)} articles staged for it)")
        else:
            problems.append(
                f"site={site}/date={day}: {len(ids)} articles the raw archive has staged for it are not published "
                f"({name_ids(ids)})"
            )
    return len(existing), problems
