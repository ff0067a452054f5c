"""Glue: load the settings, build the adapters, call the core, report."""
