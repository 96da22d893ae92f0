"""The OID and ID scheme of our ODM files (docs/odm.md, "OIDs").

Study definition OIDs are ``[A-Z][A-Z0-9_]*`` (no dots), so a dotted prefix
scheme cannot clash and can be read back: ``F.AE`` is form ``AE``,
``I.AE.AETERM`` item ``AETERM`` of form ``AE``, ``IG.AE.AE`` the repeating
group ``AE`` of that form and ``IG.AE`` the form's non-repeating group of plain
items. XML IDs (``xs:ID``, targets of ``AuditRecordID`` and ``AnnotationID``)
start with a letter and hold only letters, digits, ``.``, ``-`` and ``_``.
"""

from __future__ import annotations

import re

from npc_crf.forms.model import Text

NS = "http://www.cdisc.org/ns/odm/v1.3"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: the FormalExpression context of our expression language (docs/form-definitions.md §8)
EXPRESSION_CONTEXT = "npc-crf"


def tag(name: str) -> str:
    """The qualified name of ODM element ``name``."""
    return f"{{{NS}}}{name}"


def mdv(study_version: str) -> str:
    """The MetaDataVersion OID of a study version."""
    return f"MDV.{study_version}"


def event(oid: str) -> str:
    """StudyEventDef OID."""
    return f"SE.{oid}"


def form(oid: str) -> str:
    """FormDef OID."""
    return f"F.{oid}"


def plain_group(form_oid: str) -> str:
    """The non-repeating ItemGroupDef that holds a form's items outside repeating groups."""
    return f"IG.{form_oid}"


def repeating_group(form_oid: str, group_oid: str) -> str:
    """The repeating ItemGroupDef of group ``group_oid`` of a form."""
    return f"IG.{form_oid}.{group_oid}"


def item(form_oid: str, item_oid: str) -> str:
    """ItemDef OID (items are unique within a form, not across forms)."""
    return f"I.{form_oid}.{item_oid}"


def codelist(oid: str) -> str:
    """CodeList OID of a study code list."""
    return f"CL.{oid}"


def condition(form_oid: str, item_oid: str) -> str:
    """ConditionDef OID of an item's (or a group's) skip logic."""
    return f"CD.{form_oid}.{item_oid}"


def method(form_oid: str, item_oid: str) -> str:
    """MethodDef OID of a calculated item."""
    return f"MT.{form_oid}.{item_oid}"


def user(username: str) -> str:
    """User OID of an account."""
    return f"USR.{username}"


def location(site_id: str) -> str:
    """Location OID of a site."""
    return f"LOC.{site_id}"


def signature_def(meaning: str) -> str:
    """SignatureDef OID of a signature meaning."""
    return f"SD.{meaning}"


def audit_record(installation: str, seq: int) -> str:
    """The ID of the AuditRecord of an audit entry: ``installation`` is ``<site>-<number>``
    (``S01-01``), unique across installations, or the installation ID."""
    return f"AR.{installation}.{seq}"


def item_annotation(number: int) -> str:
    """The ID of the n-th item annotation (SDV mark, missing code, kept warning)."""
    return f"AN.{number}"


def query_annotation(uid: str) -> str:
    """The ID of the annotation of query ``uid``."""
    return f"QRY.{uid}"


def signature(uid: str) -> str:
    """The ID of the Signature element of signature row ``uid``."""
    return f"SG.{uid}"


_UNIT_SPELLING = {"µ": "u", "μ": "u", "°": "deg", "%": "pct", "×": "x", "^": "", "/": "_per_"}
_NOT_OID = re.compile(r"[^A-Za-z0-9_]+")


def unit_candidate(unit: Text) -> str:
    """A readable MeasurementUnit OID for a unit (callers make it unique)."""
    text = unit.en
    for char, spelled in _UNIT_SPELLING.items():
        text = text.replace(char, spelled)
    text = _NOT_OID.sub("_", text).strip("_") or "UNIT"
    return f"MU.{text}"


#: our code lists for annotations (docs/odm.md, "Annotations")
CL_FLAG_TYPE = "CL.NPC.FLAGTYPE"
CL_SDV = "CL.NPC.SDV"
CL_MISSING = "CL.NPC.MISSING"
CL_FORM_STATUS = "CL.NPC.FORMSTATUS"
CL_SUBJECT_STATUS = "CL.NPC.SUBJECTSTATUS"
CL_QUERY_STATUS = "CL.NPC.QUERYSTATUS"
