"""The data store: uploaded tables become typed, immutable, versioned Parquet files queried with DuckDB.

This layer knows files, tables and versions; it does not know datasets, users or permissions (the catalog
layer above it decides who may read what).
"""
