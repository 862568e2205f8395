"""Locale formats Django does not ship (it has none for Kazakh); found through ``FORMAT_MODULE_PATH``."""
