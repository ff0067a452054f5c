"""`mentor-sync demo`: a folder with settings and a workbook of sample responses."""

from __future__ import annotations

from pathlib import Path

from jobs.config import load_settings
from jobs.demo_data import program_tabs
from sync.workbook import create_workbook

DEMO_SETTINGS = """\
# mentor-sync demo settings. Anything not set here takes its default, listed
# and explained in config/settings.toml of mentor-sync.

[program]
name = "STS Mentoring Program (demo)"

[spreadsheet]
backend = "workbook"
path = "mentoring.xlsx"
"""


def prepare_demo(folder: Path) -> tuple[Path, list[str]]:
    """Create the demo folder's settings and workbook where missing; return the settings path
    and a line for each file made or reused."""
    folder.mkdir(parents=True, exist_ok=True)
    settings_path = folder / "settings.toml"
    said = []
    if settings_path.exists():
        said.append(f"reusing {settings_path}")
    else:
        settings_path.write_text(DEMO_SETTINGS, encoding="utf-8")
        said.append(f"wrote {settings_path}")
    settings = load_settings(settings_path)
    workbook = Path(settings.spreadsheet.path)
    if workbook.exists():
        said.append(f"reusing {workbook}")
    else:
        create_workbook(workbook, program_tabs(settings))
        said.append(f"wrote {workbook} with sample responses to the mentee and mentor forms")
    return settings_path, said
