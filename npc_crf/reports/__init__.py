"""Printed documents (reportlab): blank and annotated CRFs, subject casebooks, SAE
reports after CIOMS I, query and SDV reports, in English or Chinese.

The modules here are Qt-free and pure: each ``render_*`` function takes the
data of one document (gathered from the store by ``npc_crf.services.reports``)
and :class:`~npc_crf.reports.document.RenderOptions`, and returns the PDF's
bytes. Writing a document to disk, and recording in the audit trail that it was
issued, is the report service's job. See docs/reports.md.
"""

#: the audit action recorded when a document with clinical data is written out;
#: a record's content hash leaves these entries out (printing is not a change)
DOCUMENT_ISSUED = "document_issued"

#: languages a document can be printed in
LANGUAGES = ("en", "zh")
