"""CDISC ODM 1.3.2: metadata and clinical data export, and a reader for round trips (docs/odm.md).

* :mod:`.writer` — ``write_odm(path, study, payload, options)``: the whole file, streamed
  and replaced atomically; :mod:`.site_export` — the site's use case (permission,
  payload, file, audit entry) behind ``npc-crf export odm``.
* :mod:`.metadata` (Study), :mod:`.admin` (AdminData), :mod:`.clinical` (ClinicalData),
  :mod:`.notes` (annotations, signatures, audit records), :mod:`.npc_lists` (our flag
  code lists), :mod:`.datatypes` (item types and stored values ↔ ODM types),
  :mod:`.oids` (the OID scheme), :mod:`.dataset` (the payload, indexed),
  :mod:`.elements` and :mod:`.xmltext` (building lxml elements, escaping text).
* :mod:`.reader` — values back from a file; :mod:`.check` — the references the XSD
  cannot check.
"""
