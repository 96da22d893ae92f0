"""Labels for exported codes: code lists, yes/no and missing-data codes, in English or Chinese."""

from __future__ import annotations

from npc_crf.exchange.csv_out.dataset import Value
from npc_crf.forms.model import CodeList, Item, Study, Text

#: the pseudo code lists of codelists.csv (real code list OIDs start with a letter)
YES_NO_LIST = "_YESNO"
MISSING_LIST = "_MISSING"
YES_NO: tuple[tuple[str, Text], ...] = (("1", Text("Yes", "是")), ("0", Text("No", "否")))
LIST_SEPARATOR = "|"


class Decoder:
    """Turns stored codes into labels in one language (``en`` or ``zh``)."""

    def __init__(self, study: Study, lang: str) -> None:
        self.study = study
        self.lang = lang
        self._yes_no = {code: text.get(lang) for code, text in YES_NO}
        self._missing = {m.code: m.name.get(lang) for m in study.missing_codes}

    def codelist(self, form_oid: str, item_oid: str) -> CodeList | None:
        """The code list of an item, when the definition has the item and it has one."""
        form = self.study.forms.get(form_oid)
        item: Item | None = form.item(item_oid) if form is not None else None
        return self.study.codelist_for(item) if item is not None else None

    def value_label(self, form_oid: str, value: Value) -> str:
        """The label of a coded or yes/no value; empty for other kinds and missing values.

        A code that its list does not have is shown as the code itself.
        """
        if value.kind == "bool":
            return self._yes_no[value.cell]
        if value.kind not in ("code", "codes"):
            return ""
        codelist = self.codelist(form_oid, value.item_oid)
        labels = []
        for code in value.codes:
            entry = codelist.get(code) if codelist is not None else None
            labels.append(entry.label.get(self.lang) if entry is not None else str(code))
        return LIST_SEPARATOR.join(labels)

    def missing_label(self, code: str) -> str:
        """The name of a missing-data code (the code itself when the study has no such code)."""
        return self._missing.get(code, code)
