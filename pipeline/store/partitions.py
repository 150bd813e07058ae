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
from collections.abc import Callable
from datetime import datetime, timezone

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.store.datadir import DataDir
from pipeline.store.schema import SCHEMA_VERSION, file_schema

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
        try:
            days = json.loads(self.store.read_bytes(self._ledger_key(site))).get("days", {})
        except (FileNotFoundError, ValueError, AttributeError):
            return {}
        return days if isinstance(days, dict) else {}

    def sites(self) -> list[str]:
        keys = self.store.list(f"{DataDir.SNAPSHOTS}/site=*")
        return sorted(k.split("/")[1].removeprefix("site=") for k in keys)

    def article_ids(self, site: str, day: str) -> set[str] | None:
        """The ids a partition holds (None when it cannot be read)."""
        data = self._read(site, day, PART_NAME)
        try:
            return (
                None
                if data is None
                else set(pq.read_table(io.BytesIO(data), columns=["article_id"]).column("article_id").to_pylist())
            )
        except Exception:  # unreadable: the caller treats it as broken
            return None

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
        return None if data is None else conform(pq.read_table(io.BytesIO(data)))

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
        days = self.ledger(site)
        days[day] = {"rows": manifest["rows"], "sha256": manifest["sha256"]}
        self.store.write_whole(self._ledger_key(site), json.dumps({"days": dict(sorted(days.items()))}).encode())

    def problems(self, site: str, day: str) -> list[str]:
        where = f"site={site}/date={day}"
        manifest = self.manifest(site, day)
        if manifest is None:
            return [f"{where}: no manifest (missing, empty or not a manifest)"]
        data = self._read(site, day, manifest.get("file", PART_NAME))
        return manifest_problems(
            where,
            manifest,
            hashlib.sha256(data).hexdigest() if data is not None else None,
            lambda: pq.ParquetFile(io.BytesIO(data)).metadata.num_rows,
        )


def verify(data_dir: "str | DataDir") -> tuple[int, list[str]]:
    """(partitions checked, problems found): every partition against its manifest, and every
    day the site ledger lists as published must still be there."""
    partitions = Partitions(data_dir)
    existing = partitions.existing()
    problems = [problem for site, day in existing for problem in partitions.problems(site, day)]
    present = set(existing)
    for site in partitions.sites():
        problems += [
            f"site={site}/date={day}: missing (published before, per {LEDGER_NAME})"
            for day in partitions.ledger(site)
            if (site, day) not in present
        ]
    return len(existing), problems
