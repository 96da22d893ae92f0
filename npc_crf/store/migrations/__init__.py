"""Alembic migrations of the site database (run by :mod:`npc_crf.store.migrate`)."""
