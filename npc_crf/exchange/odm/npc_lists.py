"""Our own code lists for annotation flags (``CL.NPC.*``, docs/odm.md "Annotations").

An ODM ``Flag`` takes its ``FlagValue`` and ``FlagType`` from code lists in the
metadata. These lists describe what npc-crf flags: SDV marks, missing-data
codes, form and subject status, and query status.
"""

from __future__ import annotations

from collections.abc import Iterable

from npc_crf.exchange.odm import oids
from npc_crf.forms.model import CodeItem, CodeList, Study, Text
from npc_crf.services.casebook import FormStatus
from npc_crf.services.monitoring.query_model import QueryStatus
from npc_crf.services.subjects import SubjectStatus

#: flag types (the FlagType values)
SDV = "SDV"
MISSING = "MISSING"
FORM_STATUS = "FORM_STATUS"
SUBJECT_STATUS = "SUBJECT_STATUS"
QUERY = "QUERY"

#: the one SDV flag value: the value was verified at its current version
VERIFIED = "verified"

_FLAG_TYPES = (
    (SDV, Text("Source data verification", "源数据核查")),
    (MISSING, Text("Missing-data code", "缺失数据代码")),
    (FORM_STATUS, Text("Form status", "表单状态")),
    (SUBJECT_STATUS, Text("Subject status", "受试者状态")),
    (QUERY, Text("Query status", "质疑状态")),
)

_FORM_STATUS_TEXT = {
    FormStatus.IN_PROGRESS: Text("In progress", "填写中"),
    FormStatus.COMPLETE: Text("Complete", "已完成"),
    FormStatus.SIGNED: Text("Signed", "已签名"),
    FormStatus.LOCKED: Text("Locked", "已锁定"),
}

_SUBJECT_STATUS_TEXT = {
    SubjectStatus.SCREENING: Text("Screening", "筛选中"),
    SubjectStatus.SCREEN_FAILURE: Text("Screen failure", "筛选失败"),
    SubjectStatus.ENROLLED: Text("Enrolled", "已入组"),
    SubjectStatus.ON_TREATMENT: Text("On treatment", "治疗中"),
    SubjectStatus.FOLLOW_UP: Text("Follow-up", "随访中"),
    SubjectStatus.OFF_STUDY: Text("Off study", "已退出研究"),
    SubjectStatus.DIED: Text("Died", "死亡"),
}

_QUERY_STATUS_TEXT = {
    QueryStatus.NEW: Text("New", "新建"),
    QueryStatus.UPDATED: Text("Updated", "已更新"),
    QueryStatus.RESOLUTION_PROPOSED: Text("Resolution proposed", "已提出解决方案"),
    QueryStatus.CLOSED: Text("Closed", "已关闭"),
    QueryStatus.NOT_APPLICABLE: Text("Not applicable", "不适用"),
}


def _items(pairs: Iterable[tuple[str, Text]]) -> tuple[CodeItem, ...]:
    return tuple(CodeItem(str(code), text) for code, text in pairs)


def annotation_lists(study: Study) -> list[CodeList]:
    """The ``CL.NPC.*`` code lists, in the order they are written."""
    lists = [
        CodeList(oids.CL_FLAG_TYPE, "text", _items(_FLAG_TYPES)),
        CodeList(oids.CL_SDV, "text", _items([(VERIFIED, Text("Verified", "已核查"))])),
        CodeList(oids.CL_MISSING, "text", _items((m.code, m.name) for m in study.missing_codes)),
        CodeList(oids.CL_FORM_STATUS, "text", _items(_FORM_STATUS_TEXT.items())),
        CodeList(oids.CL_SUBJECT_STATUS, "text", _items(_SUBJECT_STATUS_TEXT.items())),
        CodeList(oids.CL_QUERY_STATUS, "text", _items(_QUERY_STATUS_TEXT.items())),
    ]
    return [cl for cl in lists if cl.items]  # a study without missing codes has no such list
