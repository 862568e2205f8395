"""Deadlines counted again when the calendar changes, and running cases moved between regulation versions."""
