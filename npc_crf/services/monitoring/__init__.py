"""Monitoring: queries, source data verification, signatures, freezes and locks.

``hooks`` is what the data-entry path (``CasebookService.save_form``) calls;
the other modules hold one workflow each. Decisions: ``docs/monitoring.md``.
"""
