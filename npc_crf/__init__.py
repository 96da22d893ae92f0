"""npc-crf: offline case report forms for nasopharyngeal carcinoma trials."""

__version__ = "0.1.0"
