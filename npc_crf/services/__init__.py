"""The use-case API: the only way the GUI and the CLI reach the store (Qt-free)."""
