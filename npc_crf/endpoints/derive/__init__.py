"""Per-subject endpoint derivations (issue 10): the start date, best overall response,
progression, death, PFS, OS and duration of response with their censoring reasons, and
the 1-year OS status. Rules and decisions: ``docs/endpoints.md``.

* ``settings`` — ``oncology: endpoints:`` of study.yaml (:func:`endpoint_settings`);
* ``maps`` — where each study keeps the dates the derivations need;
* ``dates`` — form values to dates (partial dates: the documented imputation);
* ``facts`` — a subject's dates read from its forms through the map;
* ``rules`` — the pure derivations on plain inputs (:func:`derive_pfs`, :func:`derive_os`,
  :func:`derive_dor`), tested by tables of cases;
* ``subject`` — :func:`derive_subject`: everything for one subject at a data cut-off;
* ``jsonio`` — ``npc-crf derive pfs|os|dor``.

Qt-free and free of the ``center`` extra (no scipy, no matplotlib). This package
imports nothing here so that the study loader can read ``settings`` cheaply.
"""
