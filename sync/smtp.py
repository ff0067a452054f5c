"""The SMTP sender: hands each email to the committee's mail server.

SMTP cannot say afterwards whether a message went out, so `confirm` answers
None; when the connection breaks after a message was handed over, `send`
reports it as maybe sent, so that it is not sent twice.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage

from mentoring.errors import ConfigError
from mentoring.settings import Smtp
from sync.mail import SendError

log = logging.getLogger(__name__)


class SmtpSender:
    name = "smtp"

    def __init__(
        self,
        settings: Smtp,
        environ: Mapping[str, str],
        *,
        ssl_context: ssl.SSLContext | None = None,
    ):
        self.settings, self.environ = settings, environ
        self.ssl_context = ssl_context or ssl.create_default_context()
        self.server = f"{settings.host}:{settings.port}"
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpSender:
        """Connect, start TLS and log in as the settings say.

        Raises ConfigError when the username's variable is set but the password's is not,
        and SendError (fatal) when the server cannot be reached or refuses the login.
        """
        s = self.settings
        user = self.environ.get(s.username_env, "") if s.username_env else ""
        password = self.environ.get(s.password_env, "") if user else ""
        if user and not password:
            raise ConfigError(
                f"the environment variable {s.password_env} is not set; it must hold the SMTP"
                f" password of {user} (named by {s.username_env})"
            )
        smtp = None
        try:
            if s.security == "ssl":
                smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self.ssl_context)
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.security == "starttls":
                smtp.ehlo()
                smtp.starttls(context=self.ssl_context)
                smtp.ehlo()
            if user:
                smtp.login(user, password)
        except BaseException as exc:
            if smtp is not None:
                smtp.close()
            if isinstance(exc, OSError):  # smtplib's and ssl's errors are OSErrors too
                raise SendError(self._cannot_start(exc, user), fatal=True) from exc
            raise
        self._smtp = smtp
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Say goodbye to the server; a connection that is already broken is just closed."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except OSError:
                pass
            finally:
                smtp.close()

    def send(self, message: EmailMessage, key: str) -> str:
        """Hand the message to the server, for every address of To, Cc and Bcc.

        Raises SendError when the server refuses the message or every recipient (not sent),
        or when the connection breaks (maybe sent, and fatal). A server that refuses only
        some recipients delivers to the others; that is logged as a warning.
        """
        if self._smtp is None or self._smtp.sock is None:
            raise SendError(
                f"the connection to the SMTP server {self.server} is closed", fatal=True
            )
        try:
            refused = self._smtp.send_message(message)
        except (
            smtplib.SMTPRecipientsRefused,
            smtplib.SMTPResponseException,
            smtplib.SMTPNotSupportedError,
        ) as exc:  # refused before the server took it; after a 421 reply smtplib hangs up
            raise SendError(
                f"the SMTP server {self.server} refused {key} ({_reason(exc)})",
                fatal=self._smtp.sock is None,
            ) from exc
        except OSError as exc:  # the connection broke, perhaps after the server took it
            raise SendError(
                f"the connection to the SMTP server {self.server} broke while sending {key}"
                f" ({_reason(exc)}); it may have been sent: check before sending it again",
                maybe_sent=True,
                fatal=True,
            ) from exc
        if refused:
            log.warning(
                "the SMTP server %s refused some recipients of %s (%s); it went to the others",
                self.server,
                key,
                _recipients(refused),
            )
            return f"went to the others; the server refused {_recipients(refused)}"
        return ""

    def confirm(self, key: str, message_id: str) -> bool | None:
        """None: an SMTP server cannot be asked whether it took a message."""
        return None

    def _cannot_start(self, exc: OSError, user: str) -> str:
        s = self.settings
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            return (
                f"the SMTP server {self.server} refused the login of {user} ({_reason(exc)});"
                f" check the environment variables {s.username_env} and {s.password_env}"
            )
        if isinstance(exc, smtplib.SMTPNotSupportedError):  # no STARTTLS, or no AUTH
            return (
                f"the SMTP server {self.server} cannot do what the settings ask ({exc});"
                " check email.smtp.security and port"
            )
        return (
            f"cannot connect to the SMTP server {self.server} ({_reason(exc)});"
            " check email.smtp.host, port and security"
        )


def _reason(exc: OSError) -> str:
    """The server's reply, or the system's words for what went wrong."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return _recipients(exc.recipients) or "no recipients given"
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
        return f"{exc.smtp_code} {' '.join(text.split())}"
    return exc.strerror or str(exc) or type(exc).__name__


def _recipients(refused: Mapping[str, tuple[int, bytes]]) -> str:
    """Each refused address with the server's reply."""
    return "; ".join(
        f"{address}: {code} {reply.decode('utf-8', 'replace')}"
        for address, (code, reply) in refused.items()
    )
