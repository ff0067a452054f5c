"""The committee's settings and, later, email templates.

Shipped inside the package so that `mentor-sync demo` and the built-in defaults
work from any folder; a committee edits its own copy of settings.toml.
"""
