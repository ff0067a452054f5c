"""The errors mentor-sync raises; each says what is wrong and how to fix it.

Every error a person sees shares one root, so a job catches MentorSyncError and
reports it in one line (an error outside this tree is a bug: the traceback goes to
the log). The whole tree, with where each error lives:

    MentorSyncError                 every error reported to a person
    ├── ConfigError                 the settings, a tab or a header do not fit what the
    │   │                           tool needs; the command line exits with code 2
    │   ├── SettingsError           the settings themselves are wrong: the settings file,
    │   │                           its values, the email templates, a credentials file;
    │   │                           never an alert to the committee (mentoring/runs.py)
    │   ├── AddressError            an address of one email cannot be used: that email
    │   │                           fails alone (letters.build_message)
    │   ├── TabShapeError           a tab the tool writes has lost its header row, so the
    │   │                           job refuses and writes nothing (mentoring/sheet.py)
    │   └── JournalError            the send journal cannot be opened, read or written
    │                               (sync/journal.py)
    ├── SpreadsheetError            the spreadsheet cannot be read or written (sync/spreadsheet.py)
    ├── SendError                   a message did not go out; `maybe_sent` when it may have
    │                               reached the server anyway (sync/sender.py)
    └── GoogleError                 a Google API call failed for good (sync/google.py)
        └── NoAnswerError           the last try got no answer: it may have been done
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class MentorSyncError(Exception):
    """Base of every error mentor-sync reports to a person."""


class ConfigError(MentorSyncError):
    """Raised when the settings, a tab or a header do not fit what the tool needs.

    The CLI turns it into exit code 2.
    """


class SettingsError(ConfigError):
    """Raised where the settings themselves are read and checked (the settings file and its
    values, the email templates, the credentials files and variables): whoever edits them
    fixes it, and sees it where they run the command and in doctor, so it never counts
    toward the committee's alert about a job that keeps failing.

    Every other ConfigError (a tab or a column renamed, a row above a header, the send
    journal) is the spreadsheet's or the machine's state: once the program is set up, it
    counts like any other failure.
    """


class AddressError(ConfigError):
    """Raised by `letters.build_message` when an address of the email cannot be used.

    Only that email is at fault: a caller sending many catches it, fails that
    email naming its row and key, and sends the others. `address` is the address
    as given, `header` where it was going (From, To, Cc, Reply-To), and `problem`
    what is wrong with it.
    """

    def __init__(self, address: str, header: str, problem: str):
        super().__init__(
            f"the {header} address '{address}' is not a usable email address ({problem});"
            " correct it where it was typed (the form response, the committee tab or the"
            " settings), then run again"
        )
        self.address, self.header, self.problem = address, header, problem


def did_you_mean(wanted: str, candidates: Iterable[str]) -> str:
    """Return "; did you mean 'X'?" for the closest candidate, or "" if none is close."""
    by_folded = {c.casefold(): c for c in candidates if c}
    close = difflib.get_close_matches(wanted.casefold(), list(by_folded), n=1, cutoff=0.6)
    return f"; did you mean '{by_folded[close[0]]}'?" if close else ""
