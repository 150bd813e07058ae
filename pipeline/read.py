"""Reading the snapshots: only the partitions and columns asked for."""
from __future__ import annotations

import os
from datetime import date

import pandas as pd
import pyarrow.dataset as ds

from pipeline.datadir import DataDir
from pipeline.schema import PARTITION_SCHEMA, dataset_schema


def _day(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else date.fromisoformat(str(value)).isoformat()


def _has_snapshots(data_dir: DataDir) -> bool:
    return bool(data_dir.store.list(f"{DataDir.SNAPSHOTS}/site=*"))


def open_dataset(data_dir: str | os.PathLike) -> ds.Dataset:
    """The snapshots as one Arrow dataset with the current schema (older files gain nulls);
    `data_dir` may be an object-store URL (`s3://bucket/prefix`)."""
    source, filesystem = DataDir.of(data_dir).store.arrow(DataDir.SNAPSHOTS)
    return ds.dataset(source, filesystem=filesystem, format="parquet", schema=dataset_schema(),
                      partitioning=ds.partitioning(PARTITION_SCHEMA, flavor="hive"),
                      exclude_invalid_files=False, ignore_prefixes=[".", "_"])


def read_articles(data_dir: str | os.PathLike = "data", since=None, until=None, site: str | None = None,
                  columns: list[str] | None = None) -> pd.DataFrame:
    """Articles published from `since` to `until` (WIB days, inclusive) as a DataFrame.

    Partition pruning on `site` and `date` means only the matching folders are opened, and
    only `columns` (all when None) are read from them.
    """
    names = dataset_schema().names
    if columns is not None:
        unknown = [c for c in columns if c not in names]
        if unknown:
            raise ValueError(f"unknown columns {unknown}; known: {names}")
    data_dir = DataDir.of(data_dir)
    if not _has_snapshots(data_dir):
        return dataset_schema().empty_table().select(columns or names).to_pandas()
    expr = None
    for cond in (ds.field("date") >= _day(since) if since is not None else None,
                 ds.field("date") <= _day(until) if until is not None else None,
                 ds.field("site") == site if site is not None else None):
        if cond is not None:
            expr = cond if expr is None else expr & cond
    table = open_dataset(data_dir).to_table(columns=columns, filter=expr)
    order = [(c, "ascending") for c in ("date", "published_at", "article_id") if c in table.column_names]
    if order:
        table = table.sort_by(order)
    return table.to_pandas()
