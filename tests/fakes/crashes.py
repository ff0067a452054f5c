"""A run killed at a chosen step: the spreadsheet and the sender wrapped so that the
process "dies" just before or just after one of their writes or sends."""

from __future__ import annotations


class Killed(BaseException):
    """The process died here: nothing after this point ran, no handler saw it."""


class CrashingSheet:
    """The run's spreadsheet, killed just before or just after its `crash_at`-th write."""

    def __init__(self, inner, crash_at: int, after: bool):
        self.inner, self.crash_at, self.after, self.writes = inner, crash_at, after, 0

    def read(self, tabs, fresh=False):
        return self.inner.read(tabs, fresh)

    def tab_names(self):
        return self.inner.tab_names()

    def write(self, edits, later=False):
        if later:  # kept in memory: a killed process loses it, and nothing else happens
            self.inner.write(edits, later=True)
            return
        self.writes += 1
        if self.writes == self.crash_at and not self.after:
            raise Killed
        self.inner.write(edits)
        if self.writes == self.crash_at:
            raise Killed

    def flush(self):
        self.inner.flush()


class CrashingSender:
    """The run's sender, killed just before or just after it hands over its
    `crash_at`-th email."""

    def __init__(self, inner, crash_at: int, after: bool):
        self.inner, self.crash_at, self.after, self.sends = inner, crash_at, after, 0
        self.name = inner.name

    def __enter__(self):
        self.inner.__enter__()
        return self

    def __exit__(self, *exc):
        self.inner.__exit__(*exc)

    def send(self, message, key):
        self.sends += 1
        if self.sends == self.crash_at and not self.after:
            raise Killed
        note = self.inner.send(message, key)
        if self.sends == self.crash_at:
            raise Killed
        return note

    def confirm(self, key, message_id):
        return self.inner.confirm(key, message_id)
