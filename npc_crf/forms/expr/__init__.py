"""The expression language of form definitions: parsed and checked, never eval'd.

See ``docs/form-definitions.md`` section 8 for the language and its grammar.
"""
