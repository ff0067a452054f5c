"""Adapters to the outside: each implements one small interface from `sync.spreadsheet`."""
