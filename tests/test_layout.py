"""The pure core stays pure: no spreadsheet, Google, file or clock access in mentoring/."""

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[1] / "mentoring"
FORBIDDEN_MODULES = (
    "gspread",
    "google",
    "googleapiclient",
    "openpyxl",
    "pandas",
    "sync",
    "jobs",
    "os",
    "io",
    "shutil",
    "subprocess",
    "tempfile",
    "sqlite3",
    "pathlib",
    "time",
    "smtplib",
    "socket",
    "requests",
    "dns",  # dnspython: email-validator asks DNS only when told to; the core never tells it
    "urllib.request",  # urllib.parse is pure text work, and allowed
    "http",
    "schedule",  # reads the clock itself
    "filelock",
    "pytz",  # reads the tz database
    "zoneinfo",
)
FORBIDDEN_CALLS = ("now", "today", "utcnow", "open", "getenv")


def core_files():
    return sorted(CORE.glob("*.py"))


@pytest.mark.parametrize("path", core_files(), ids=lambda p: p.name)
def test_core_imports_no_io(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        for name in names:
            parts = name.split(".")
            prefixes = {".".join(parts[: i + 1]) for i in range(len(parts))}
            assert not prefixes & set(FORBIDDEN_MODULES), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", core_files(), ids=lambda p: p.name)
def test_core_reads_no_clock_and_no_files(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            assert name not in FORBIDDEN_CALLS, f"{path.name}:{node.lineno} calls {name}()"


def test_the_core_has_modules_to_check():
    assert {p.name for p in core_files()} >= {
        "intake.py",
        "matching.py",
        "committee.py",
        "letters.py",
    }


ROOT = CORE.parent
# What every job may use: the glue they share. Every other module of jobs/ is a job (one
# command, or a few of one kind), and no job imports another; the runner and the command
# line are the two that call the jobs.
SHARED_GLUE = {
    "__init__",
    "backends",
    "clock",
    "compose",
    "settings_file",
    "delivery",
    "demo_data",
    "logs",
    "program",
}
CALLERS = {"__main__", "cli", "runner"}


def imported(path):
    """Every module `path` imports, at the top or inside a function."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def job_modules():
    return sorted(p for p in (ROOT / "jobs").glob("*.py") if p.stem not in CALLERS)


@pytest.mark.parametrize("path", job_modules(), ids=lambda p: p.name)
def test_no_job_imports_another_and_the_shared_glue_imports_no_job(path):
    for name in imported(path):
        if name.startswith("jobs."):
            assert name.split(".")[1] in SHARED_GLUE, f"jobs/{path.name} imports {name}"


@pytest.mark.parametrize("path", sorted((ROOT / "sync").glob("*.py")), ids=lambda p: p.name)
def test_the_adapters_import_no_job(path):
    for name in imported(path):
        assert name != "jobs" and not name.startswith("jobs."), f"sync/{path.name} imports {name}"


def test_the_layout_check_sees_the_jobs():
    assert {p.stem for p in job_modules()} >= {"match", "mail", "calendar", "status", "program"}
