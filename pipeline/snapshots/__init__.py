"""The offline build: staged articles into daily Parquet partitions, re-extraction from the raw
archive, and the reader."""
