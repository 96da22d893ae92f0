"""The form-definition engine: model, loader, expression language, form sessions.

Qt-free and database-free. The pipeline is::

    YAML text --source--> located nodes --builder--> model (frozen dataclasses)
              --checks--> cross-references and expression types
              --session--> answering items one by one

``load_study`` / ``load_studies`` in :mod:`npc_crf.forms.loader` run the whole
pipeline and either return a complete, checked study or raise
:class:`~npc_crf.forms.problems.DefinitionError` listing every problem found.
"""
