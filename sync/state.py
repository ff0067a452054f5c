"""The state file: the jobs' recent history as JSON, kept beside the settings."""

from __future__ import annotations

import contextlib
import json
import logging
from datetime import datetime
from pathlib import Path

from mentoring.runs import History
from sync.files import PRIVATE, keep_private, replace_file

log = logging.getLogger(__name__)


def load_history(path: Path, now: datetime, set_aside: bool = False) -> History:
    """The history in `path`; an empty one when there is no file yet or it cannot be read (a
    broken state file must not stop the jobs). With `set_aside`, as before a write, a file
    that cannot be read is renamed (never deleted) so the write does not lose it."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return History()
    except OSError as exc:
        log.error(
            "mentor-sync: cannot read the state file %s (%s); the last runs are not known."
            " Check operations.state_file and the file's permissions",
            path,
            exc,
        )
        return History()
    try:
        return History.from_data(json.loads(text))
    except (ValueError, KeyError, TypeError) as exc:
        if not set_aside:
            log.error(
                "mentor-sync: the state file %s is not readable (%s); the next job sets it"
                " aside and starts the history afresh",
                path,
                exc,
            )
            return History()
        aside = path.with_name(f"{path.name}.unreadable-{now:%Y%m%d-%H%M%S}")
        kept_as: Path | str = aside
        try:
            path.replace(aside)
        except OSError as moved:
            kept_as = f"it where it is ({moved})"
        else:
            # Kept, but for the owner's eyes only, like the state file; a file of another
            # user's, which this one cannot change, is kept as it is.
            with contextlib.suppress(OSError):
                keep_private(aside)
        log.error(
            "mentor-sync: the state file %s was not readable (%s); kept it as %s, and the last"
            " runs start afresh",
            path,
            exc,
            kept_as,
        )
        return History()


def save_history(path: Path, history: History) -> None:
    """Write `history` to `path` whole, readable by its owner alone (a failed run's line may
    quote a server); a state file that others could read is replaced by one they cannot.
    Raises OSError."""
    text = json.dumps(history.as_data(), indent=2, ensure_ascii=False) + "\n"
    replace_file(path, text.encode("utf-8"), mode=PRIVATE)
