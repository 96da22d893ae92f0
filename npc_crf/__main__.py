"""``python -m npc_crf`` runs the command line interface."""

from npc_crf.cli.main import main

raise SystemExit(main())
