"""Datatorget: an open data platform for municipalities."""

__version__ = "0.1.0"
