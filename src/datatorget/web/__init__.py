"""The web UI for people: server-rendered pages in Swedish (at /) and English (under /en/)."""
