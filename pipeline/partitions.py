"""Published partitions on disk: atomic publish, manifests, verification.

Publishing writes a dot-prefixed temp file in the partition folder (dataset readers skip it),
fsyncs it and renames it over the old file, then does the same for the manifest, then
fsyncs the folder: a reader sees the old partition or the new one, never half of one.
"""
from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.schema import SCHEMA_VERSION, file_schema
from pipeline.storage import RemoteDir, is_remote

PART_NAME = "part-0.parquet"
MANIFEST_NAME = "_manifest.json"
ROW_GROUP_SIZE = 10_000


def partition_dir(data_dir: Path, site: str, day: str) -> Path:
    return Path(data_dir) / "snapshots" / f"site={site}" / f"date={day}"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_parquet(table: pa.Table, where) -> None:
    """The partition file format, local or on an object store (`where`: a path or a buffer)."""
    pq.write_table(table, where, compression="zstd", row_group_size=ROW_GROUP_SIZE, write_statistics=True)


def new_manifest(table: pa.Table, sha256: str) -> dict:
    return {"rows": table.num_rows, "schema_version": SCHEMA_VERSION, "file": PART_NAME,
            "sha256": sha256, "built_at": datetime.now(timezone.utc).isoformat()}


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


def publish_partition(directory: Path, table: pa.Table) -> None:
    """Atomically replace a partition's file, then its manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    part = directory / PART_NAME
    _write_atomic(part, lambda tmp: write_parquet(table, tmp))
    manifest = new_manifest(table, _sha256(part))
    _write_atomic(directory / MANIFEST_NAME, lambda tmp: tmp.write_text(json.dumps(manifest, indent=1)))
    _fsync_dir(directory)


def manifest_matches(directory: Path) -> bool:
    """A build killed between publishing a file and its manifest leaves them disagreeing."""
    try:
        manifest = json.loads((directory / MANIFEST_NAME).read_text())
    except (OSError, ValueError):
        return False
    return manifest.get("sha256") == _sha256(directory / PART_NAME)


def existing_partitions(data_dir: Path) -> list[tuple[str, str]]:
    root = Path(data_dir) / "snapshots"
    return sorted((p.parent.name.removeprefix("site="), p.name.removeprefix("date="))
                  for p in root.glob("site=*/date=*") if p.is_dir())


def read_partition(directory: Path) -> pa.Table | None:
    part = directory / PART_NAME
    if not part.exists():
        return None
    return conform(pq.read_table(part))


def conform(table: pa.Table) -> pa.Table:
    schema = file_schema()
    # Older partitions may lack later columns: add them as nulls so rows merge.
    for f in schema:
        if f.name not in table.column_names:
            table = table.append_column(f, pa.nulls(table.num_rows, f.type))
    return table.select(schema.names).cast(schema)


class LocalPartitions:
    """The partitions of a local data dir (`pipeline.objects.ObjectPartitions` for object stores)."""

    def __init__(self, data_dir: str | os.PathLike):
        self.data_dir = Path(data_dir)

    def remove_stale(self) -> None:
        for stale in (self.data_dir / "snapshots").glob("site=*/date=*/.*.tmp"):
            stale.unlink(missing_ok=True)  # a build killed mid-write left it; never published

    def existing(self) -> list[tuple[str, str]]:
        return existing_partitions(self.data_dir)

    def read(self, site: str, day: str) -> pa.Table | None:
        return read_partition(partition_dir(self.data_dir, site, day))

    def manifest_matches(self, site: str, day: str) -> bool:
        return manifest_matches(partition_dir(self.data_dir, site, day))

    def publish(self, site: str, day: str, table: pa.Table) -> None:
        publish_partition(partition_dir(self.data_dir, site, day), table)

    def problems(self, site: str, day: str) -> list[str]:
        directory = partition_dir(self.data_dir, site, day)
        where = f"site={site}/date={day}"
        manifest_path = directory / MANIFEST_NAME
        if not manifest_path.exists():
            return [f"{where}: no manifest"]
        manifest = json.loads(manifest_path.read_text())
        part = directory / manifest.get("file", PART_NAME)
        return manifest_problems(where, manifest, _sha256(part) if part.exists() else None,
                                 lambda: pq.ParquetFile(part).metadata.num_rows)


def partitions_for(data_dir: str | os.PathLike):
    """LocalPartitions, or ObjectPartitions for an object-store URL."""
    if is_remote(data_dir):
        from pipeline.objects import ObjectPartitions
        return ObjectPartitions(RemoteDir(str(data_dir)))
    return LocalPartitions(data_dir)


def verify(data_dir: str | os.PathLike) -> list[str]:
    """Problems found checking every partition against its manifest; empty when all is well."""
    partitions = partitions_for(data_dir)
    return [problem for site, day in partitions.existing() for problem in partitions.problems(site, day)]
