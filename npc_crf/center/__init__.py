"""The coordinating center: its key file, its store (SQLite or PostgreSQL), bundle import,
conflicts, return bundles and the HTTP upload server (docs/bundle-format.md, docs/center.md).

Qt-free.
"""
