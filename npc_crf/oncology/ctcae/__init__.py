"""CTCAE v5.0 (Qt-free): the term catalogue, lab-value grading and its derivation.

* :mod:`.catalogue` — the 837 terms, search by term, MedDRA code or SOC;
* :mod:`.units` — lab units CTCAE uses, converted exactly (``Decimal``);
* :mod:`.rules` — the lab terms' grade bands, transcribed from the verbatim grade texts;
* :mod:`.lab` — :func:`~.lab.grade_lab`: one value → grade, criterion, what is still needed;
* :mod:`.analytes` — study analyte keys (``ANC``, ``K`` …) → the terms that grade them;
* :mod:`.findings` — :func:`~.findings.grade_analyte`: one analyte value → the finding;
* :mod:`.suggest` — which form item is which analyte, and its baseline (for the GUI);
* :mod:`.settings` — the protocol choices (:class:`~.settings.CtcaeSettings`);
* :mod:`.derive` — ``npc-crf derive ctcae-lab``.

Lab grades are suggestions: under CTCAE the grade of an adverse event is the
investigator's judgement (``docs/ctcae.md``).
"""
