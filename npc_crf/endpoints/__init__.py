"""Endpoints of the studies, from the data (issue 10): per-subject derivations (start,
best overall response, progression, death, PFS/OS/DoR with censoring reasons), the
statistics (Clopper–Pearson, Kaplan–Meier), safety and exposure tables, and the figures.

Qt-free. The numerics (scipy) and the figures (matplotlib) are the optional ``center``
extra (``pip install npc-crf[center]``); the ward-PC build leaves them out, and the
modules that need them import them when called.

``model`` holds the shapes every part agrees on.
"""
