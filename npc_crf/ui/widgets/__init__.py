"""Widgets of the form entry screen, one job per module.

* :mod:`~npc_crf.ui.widgets.values` — answers as text (display and editing);
* :mod:`~npc_crf.ui.widgets.editors` — one editor per item type;
* :mod:`~npc_crf.ui.widgets.partial_date` — year / month / day with explicit "UNK";
* :mod:`~npc_crf.ui.widgets.missing_button` — the missing-data-code menu of an item;
* :mod:`~npc_crf.ui.widgets.status` — an item's inline status and its "Override…" button;
* :mod:`~npc_crf.ui.widgets.group_table` — a repeating group as an editable table;
* :mod:`~npc_crf.ui.widgets.subject_data` — a subject's other forms held in memory;
* :mod:`~npc_crf.ui.widgets.eligibility_panel` — the live eligibility verdict.
"""
