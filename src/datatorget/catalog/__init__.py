"""The catalog: organisations, datasets and distributions, with their metadata and search."""
