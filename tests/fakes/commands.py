"""The command line as a person types it, run in this process."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from jobs.cli import cli


def invoke(settings_path: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(settings_path), *args], prog_name="mentor-sync")
