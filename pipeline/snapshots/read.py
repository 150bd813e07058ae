"""Reading the snapshots: only the partitions and columns asked for."""

from __future__ import annotations

import errno
import os
from datetime import date

import pandas as pd
import pyarrow.dataset as ds

from extract.dates import parse_day
from extract.sites import load_sites
from pipeline.store.datadir import DataDir, default_location
from pipeline.store.schema import PARTITION_SCHEMA, dataset_schema


def _day(name: str, value) -> str | None:
    """A WIB day argument as `YYYY-MM-DD`; ValueError naming the argument otherwise."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return parse_day(str(value)).isoformat()
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


def _check_site(data_dir: DataDir, site: str) -> None:
    """An unknown site is a mistake, not an empty result: defined sites, and sites already in the data."""
    known = set(load_sites().names()) | {
        key.split("/")[1].removeprefix("site=") for key in data_dir.store.list(f"{DataDir.SNAPSHOTS}/site=*")
    }
    if site not in known:
        raise ValueError(f"site: unknown site {site!r}; known: {', '.join(sorted(known))}")


def _has_snapshots(data_dir: DataDir) -> bool:
    return bool(data_dir.store.list(f"{DataDir.SNAPSHOTS}/site=*"))


def open_dataset(data_dir: str | os.PathLike) -> ds.Dataset:
    """The snapshots as one Arrow dataset with the current schema (older files gain nulls);
    `data_dir` may be an object-store URL (`s3://bucket/prefix`)."""
    source, filesystem = DataDir.of(data_dir).store.arrow(DataDir.SNAPSHOTS)
    return ds.dataset(
        source,
        filesystem=filesystem,
        format="parquet",
        schema=dataset_schema(),
        partitioning=ds.partitioning(PARTITION_SCHEMA, flavor="hive"),
        exclude_invalid_files=False,
        ignore_prefixes=[".", "_"],
    )


def read_articles(
    data_dir: str | os.PathLike | None = None,
    since=None,
    until=None,
    site: str | None = None,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """Articles published from `since` to `until` (WIB days, inclusive) as a DataFrame.

    Partition pruning on `site` and `date` means only the matching folders are opened, and
    only `columns` (all when None) are read from them. `site` is a plain string column and
    `date` the WIB publication day as `datetime64[us]` at midnight, so that `df.date >=
    "2026-11-22"`, sorting, `.dt` and resampling work. A data dir that is not there raises
    FileNotFoundError; a wrong date, site or column raises ValueError naming the argument.
    `data_dir` None: WARTA_DATA_DIR, else `data`.
    """
    names = dataset_schema().names
    if columns is not None:
        unknown = [c for c in columns if c not in names]
        if unknown:
            raise ValueError(f"unknown columns {unknown}; known: {names}")
    first, last = _day("since", since), _day("until", until)
    if first and last and first > last:
        raise ValueError(f"since ({first}) is after until ({last})")
    data_dir = DataDir.of(default_location() if data_dir is None else data_dir)
    if not data_dir.store.exists():
        raise FileNotFoundError(errno.ENOENT, "no such data dir", data_dir.location)
    if site is not None:
        _check_site(data_dir, site)
    if not _has_snapshots(data_dir):
        return _with_days(dataset_schema().empty_table().select(columns or names).to_pandas())
    expr = None
    for cond in (
        ds.field("date") >= first if first is not None else None,
        ds.field("date") <= last if last is not None else None,
        ds.field("site") == site if site is not None else None,
    ):
        if cond is not None:
            expr = cond if expr is None else expr & cond
    table = open_dataset(data_dir).to_table(columns=columns, filter=expr)
    order = [(c, "ascending") for c in ("date", "published_at", "article_id") if c in table.column_names]
    if order:
        table = table.sort_by(order)
    return _with_days(table.to_pandas())


def _with_days(df: pd.DataFrame) -> pd.DataFrame:
    """The `date` partition column as a day users can compare and sort. As a string it compares
    only with strings; pandas' `read_parquet` makes it an unordered category, which refuses `>=`.
    The unit is fixed: an empty column would otherwise come back as `datetime64[s]`."""
    if "date" in df.columns:
        df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d").astype("datetime64[us]")
    return df
