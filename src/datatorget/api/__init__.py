"""The JSON API under /api/v1/, documented by OpenAPI at /api/v1/openapi.json."""
