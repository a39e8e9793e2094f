"""Sends the outbox's messages by SMTP: plain, STARTTLS or TLS from the first byte, with login."""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

from application.notifications import DeliveryFailed, Message

SECURITY = ("none", "starttls", "tls")


class SMTPSender:
    """The mail sender (application.notifications.MailSender) over smtplib.

    One connection per message: the outbox sends a few messages an hour, and a fresh
    connection cannot be left half-broken by the one before.
    """

    def __init__(self, host: str, port: int, security: str = "none",
                 username: str | None = None, password: str | None = None,
                 from_address: str = "scc@localhost", timeout: float = 30.0,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        if security not in SECURITY:
            raise ValueError(f"SMTP security {security!r} is not one of {', '.join(SECURITY)}")
        self.host, self.port, self.security = host, port, security
        self.username, self.password = username, password
        self.from_address, self.timeout = from_address, timeout
        self.ssl_context = ssl_context or ssl.create_default_context()
        domain = parseaddr(from_address)[1].rpartition("@")[2]
        self.domain = domain or "scc.invalid"

    def message_id(self, message: Message) -> str:
        return f"<{message.id}@{self.domain}>"

    def email(self, message: Message) -> EmailMessage:
        """The message as an email. Names and subjects go on one line: a line break in a
        school's or a person's name (entered before names were normalised) cannot end a
        header (and so cannot add one)."""
        mail = EmailMessage()
        mail["From"] = self.from_address
        mail["To"] = formataddr((_one_line(message.recipient_name), message.recipient))
        mail["Subject"] = _one_line(message.subject)
        mail["Date"] = format_datetime(message.created_at)
        mail["Message-ID"] = self.message_id(message)
        mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
        mail.set_content(message.body)
        return mail

    def send(self, message: Message) -> None:
        where = f"{self.host}:{self.port}"
        try:
            mail = self.email(message)
        except Exception as error:  # noqa: BLE001 - no retry can write it differently
            raise DeliveryFailed(f"The email could not be written: {_reason(error)}",
                                 permanent=True) from None
        try:
            smtp = (smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                     context=self.ssl_context)
                    if self.security == "tls"
                    else smtplib.SMTP(self.host, self.port, timeout=self.timeout))
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryFailed(f"Cannot connect to the mail server {where}: {_reason(error)}",
                                 unreachable=True) from None
        try:
            if self.security == "starttls":
                smtp.starttls(context=self.ssl_context)
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(mail, to_addrs=[message.recipient])
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            raise DeliveryFailed(
                f"The mail server {where} refused {message.recipient}: "
                + "; ".join(_reason(smtplib.SMTPResponseException(*r))
                            for r in error.recipients.values()),
                permanent=all(500 <= code < 600 for code in codes)) from None
        except smtplib.SMTPDataError as error:
            raise DeliveryFailed(f"The mail server {where} refused the message: "
                                 f"{_reason(error)}") from None
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryFailed(f"The mail server {where} failed: {_reason(error)}",
                                 unreachable=True) from None
        finally:
            # Once the message is accepted a failing QUIT must not make it look unsent.
            with contextlib.suppress(OSError, smtplib.SMTPException):
                smtp.quit()
            smtp.close()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _reason(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return f"{error.smtp_code} {text}".strip()
    return str(error) or type(error).__name__
