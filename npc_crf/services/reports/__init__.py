"""Gathering the data of printed documents from the store, and issuing them.

``*_data`` modules read one document's data through the other services (so
permissions and holds apply as everywhere); :mod:`.service` (``ws.reports``)
renders, writes atomically and records the document in the audit trail.
"""
