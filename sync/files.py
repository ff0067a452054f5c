"""Plain files the jobs read beside the spreadsheet, such as a .csv of past pairs."""

from __future__ import annotations

import csv
import os
import stat
import tempfile
import time
from pathlib import Path

from mentoring.errors import ConfigError
from mentoring.sheet import Row, Table

# Read and written by its owner alone: the log, the state file and the send journal may
# quote a server's reply, a person's address, or a secret typed into the wrong setting.
PRIVATE = 0o600


def read_csv_table(path: Path) -> Table:
    """A .csv file as a Table, its first row the header; raises ConfigError if unreadable."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(
            f"cannot read {path} as a UTF-8 .csv file ({exc}); save it as CSV UTF-8"
        ) from exc
    header = tuple(rows[0]) if rows else ()
    body = tuple(Row(n, tuple(r)) for n, r in enumerate(rows[1:], start=2) if any(r))
    return Table(path.name, header, body, len(rows))


def unwritable_folder(folder: Path) -> str:
    """Why a file cannot be made in `folder` (made as needed), in words that follow "cannot
    write in FOLDER: "; "" when it can."""
    there = next(p for p in (folder, *folder.parents) if p.exists())
    if not there.is_dir():
        return f"{there} is a file, not a folder"
    if not os.access(there, os.W_OK | os.X_OK):
        return f"{there} is not a folder you can write"
    return ""


def replace_file(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write `data` beside `path`, flush it to disk, then swap it in: a crash never leaves
    half a file. `mode` sets the permissions (0o600 for a secret). Raises OSError."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".mentor-sync-", dir=path.parent)
    try:
        if mode is not None:
            os.fchmod(handle, mode)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
        _sync_folder(path.parent)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


LEFTOVER = ".mentor-sync-*"  # what replace_file writes before the swap


def remove_leftovers(folder: Path, older_than: float = 60.0) -> int:
    """Delete what a killed run left half-written in `folder` (files replace_file had not
    swapped in yet), when older than `older_than` seconds; returns how many. Call it under
    the run lock, so no other run is writing them."""
    removed = 0
    limit = time.time() - older_than
    for leftover in folder.glob(LEFTOVER) if folder.is_dir() else ():
        try:
            if leftover.is_file() and leftover.stat().st_mtime < limit:
                leftover.unlink()
                removed += 1
        except OSError:
            continue  # gone already, or not ours to delete: the next run tries again
    return removed


def _sync_folder(folder: Path) -> None:
    """Make a rename in `folder` survive a power cut (where the system allows it)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def private_file(path: Path) -> None:
    """Make sure `path` exists and only its owner can read or write it: create it empty with
    mode 0600, or tighten it as `keep_private` does. Call it before opening the file to write
    (sqlite's journal and WAL files then take the database file's mode). Raises OSError."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    except FileExistsError:
        keep_private(path)


def keep_private(path: Path) -> None:
    """Take the group's and others' access away from `path`, a regular file that has it (an
    older mentor-sync made its files 0644). No file, or a device such as /dev/null, is left
    as it is. Raises OSError (a file of another user's, say)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISREG(mode) and mode & 0o077:
        os.chmod(path, stat.S_IMODE(mode) & ~0o077)
