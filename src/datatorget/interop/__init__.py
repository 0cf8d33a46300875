"""Interoperability: DCAT-AP-SE out, harvesting in, a CKAN-compatible API, metadata quality."""
