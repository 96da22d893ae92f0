"""Small shared kernel of npc-crf: stdlib only, no Qt, no database."""
