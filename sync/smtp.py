"""The SMTP sender: hands each email to the committee's mail server.

SMTP cannot say afterwards whether a message went out, so `confirm` answers
None. `send` speaks MAIL, RCPT and DATA itself (as `sendmail` would) to know
how far it got: a connection that breaks before DATA sent nothing, and the
next run sends the email; one that breaks once DATA began may have delivered
it, so it is reported maybe sent and never sent twice by itself.
"""

from __future__ import annotations

import copy
import logging
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import getaddresses

from mentoring.addresses import ascii_email
from mentoring.errors import SettingsError
from mentoring.settings import Smtp
from sync.sender import SendError

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

        Raises SettingsError when the username's variable is set but the password's is not,
        and SendError (fatal) when the server cannot be reached or refuses the login.
        """
        s = self.settings
        user = self.environ.get(s.username_env, "") if s.username_env else ""
        password = self.environ.get(s.password_env, "") if user else ""
        if user and not password:
            raise SettingsError(
                f"the environment variable {s.password_env} is not set; it must hold the SMTP"
                f" password of {user} (named by {s.username_env})"
            )
        smtp: smtplib.SMTP | None = None
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
            smtp.ehlo_or_helo_if_needed()  # what the server offers: 8BITMIME, SIZE
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

        8-bit bodies go with BODY=8BITMIME when the server offers it, and are re-encoded in
        7 bits (base64) when it does not.

        Raises SendError when the server refuses the message or every recipient (not sent);
        when the connection breaks before DATA (not sent, and fatal: the next run sends
        it); and when it breaks once DATA began (maybe sent, and fatal: it is never sent
        again by itself). A server that refuses only some recipients delivers to the
        others; that is logged as a warning and returned as the note.
        """
        smtp = self._smtp
        if smtp is None or smtp.sock is None:
            raise SendError(
                f"the connection to the SMTP server {self.server} is closed", fatal=True
            )
        try:
            sender, recipients = _envelope(message)
        except ValueError as exc:
            raise SendError(f"cannot send {key} through {self.server}: {exc}") from exc
        data, options = _wire_form(message, eight_bit=smtp.has_extn("8bitmime"))
        if smtp.has_extn("size"):
            options.append(f"SIZE={len(data)}")
        try:
            refused = _mail_and_rcpt(smtp, sender, recipients, options)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
            raise self._refused(smtp, key, exc) from exc
        except OSError as exc:  # nothing of the message has reached the server
            smtp.close()
            raise SendError(
                f"the connection to the SMTP server {self.server} broke before {key} was"
                f" handed over ({_reason(exc)}); it was not sent, and the next run sends it",
                fatal=True,
            ) from exc
        try:
            code, reply = smtp.data(data)
        except smtplib.SMTPResponseException as exc:  # DATA refused: the message never went
            raise self._refused(smtp, key, exc) from exc
        except OSError as exc:  # the connection broke, perhaps after the server took it
            smtp.close()
            raise SendError(
                f"the connection to the SMTP server {self.server} broke while sending {key}"
                f" ({_reason(exc)}); it may have been sent: check before sending it again",
                maybe_sent=True,
                fatal=True,
            ) from exc
        if code != 250:
            raise self._refused(smtp, key, smtplib.SMTPDataError(code, reply))
        if refused:
            log.warning(
                "the SMTP server %s refused some recipients of %s (%s); it went to the others",
                self.server,
                key,
                _recipients(refused),
            )
            return f"went to the others; the server refused {_recipients(refused)}"
        return ""

    def _refused(self, smtp: smtplib.SMTP, key: str, exc: OSError) -> SendError:
        """Not sent: the server said no before it took the message. The transaction is reset
        for the next message; after a 421 reply (the server is closing), or when the reset
        fails, the connection is closed and the error is fatal."""
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            closing = any(code == 421 for code, _ in exc.recipients.values())
        else:
            closing = getattr(exc, "smtp_code", None) == 421
        if closing:
            smtp.close()
        elif smtp.sock is not None:
            try:
                smtp.rset()
            except OSError:
                smtp.close()
        return SendError(
            f"the SMTP server {self.server} refused {key} ({_reason(exc)})",
            fatal=smtp.sock is None,
        )

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


def _envelope(message: EmailMessage) -> tuple[str, list[str]]:
    """The envelope sender (Sender, else From) and recipients (To, Cc and Bcc), as
    `smtplib.SMTP.send_message` finds them, in ASCII: an internationalised domain in
    punycode. Raises ValueError for an address beyond ASCII that has no ASCII form
    (SMTPUTF8, which it would need, is not used)."""
    sender = message["Sender"] if "Sender" in message else message["From"]
    fields = [str(message[name]) for name in ("To", "Cc", "Bcc") if name in message]
    addresses = [getaddresses([str(sender)])[0][1], *(a for _, a in getaddresses(fields))]
    ascii_form = [_ascii(address) for address in addresses]
    return ascii_form[0], ascii_form[1:]


def _ascii(address: str) -> str:
    if address.isascii():
        return address
    try:
        return ascii_email(address)
    except ValueError as exc:
        raise ValueError(f"the address '{address}' cannot go in ASCII ({exc})") from exc


def _wire_form(message: EmailMessage, *, eight_bit: bool) -> tuple[bytes, list[str]]:
    """The message's bytes as they go (CRLF line ends, no Bcc) and the MAIL options they
    need: BODY=8BITMIME for 8-bit data when the server takes it; without it, 8-bit bodies
    are re-encoded by the email package's own 7-bit generation (base64)."""
    sent = copy.copy(message)  # as send_message does: the del replaces only the copy's headers
    del sent["Bcc"]
    form = message.policy.clone(linesep="\r\n")
    if not eight_bit:
        form = form.clone(cte_type="7bit")
    data = sent.as_bytes(policy=form)
    return data, (["BODY=8BITMIME"] if eight_bit and not data.isascii() else [])


def _mail_and_rcpt(
    smtp: smtplib.SMTP, sender: str, recipients: list[str], options: list[str]
) -> dict[str, tuple[int, bytes]]:
    """MAIL and RCPT, as `smtplib.SMTP.sendmail` sends them: returns the recipients the
    server refused while it took at least one. Raises SMTPSenderRefused, or
    SMTPRecipientsRefused when it took none or is closing (421)."""
    code, reply = smtp.mail(sender, options)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused: dict[str, tuple[int, bytes]] = {}
    for recipient in recipients:
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, reply)
        if code == 421:
            raise smtplib.SMTPRecipientsRefused(refused)
    if len(refused) == len(recipients):
        raise smtplib.SMTPRecipientsRefused(refused)
    return refused


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
