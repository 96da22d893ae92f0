"""The ``npc-crf`` command line interface."""
