"""The command line as a person types it, run in this process."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from click.testing import CliRunner

from jobs.cli import cli


def invoke(settings_path: Path, *args: str):
    """`mentor-sync --config SETTINGS ARGS...`."""
    return CliRunner().invoke(cli, ["--config", str(settings_path), *args], prog_name="mentor-sync")


def invoke_on(settings_path: Path, day: date, *args: str):
    """The same, on `day` (--as-of)."""
    return invoke(settings_path, "--as-of", f"{day:%Y-%m-%d}", *args)
