"""Sync: keys, fingerprints, identity cards, the bundle envelope and payloads (docs/bundle-format.md).

Qt-free. The site side (exporting bundles, applying return bundles) lives in
``npc_crf.services.sync``; the coordinating center in ``npc_crf.center``.
"""
