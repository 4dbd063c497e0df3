"""The :class:`Mailer` protocol and its two implementations: a folder outbox and SMTP."""

from __future__ import annotations

import os
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy as email_policy
from email.charset import QP, Charset
from email.header import Header
from email.message import EmailMessage
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.parser import BytesParser
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from pathlib import Path
from typing import Protocol, runtime_checkable

from gardien.errors import GardienError

_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP  # safe for any relay, and readable (a one-time code stays as is)


def _text(body: str, subtype: str) -> MIMEText:
    # MIMEText takes a Charset (it passes it to set_payload), which typeshed does not say.
    return MIMEText(body, subtype, _UTF8)  # type: ignore[arg-type]


def _address(value: str) -> str:
    """``Name <addr>`` with the name RFC 2047 encoded when it is not ASCII."""
    name, addr = parseaddr(value)
    return formataddr((name, addr), charset="utf-8") if addr else value


class DeliveryError(GardienError):
    """A message could not be handed over (SMTP refused it, the outbox is not writable)."""

    code = "delivery_failed"


@dataclass(frozen=True)
class Message:
    """One message to one person: plain text always, HTML optionally."""

    to: str
    subject: str
    text: str
    html: str | None = None

    def to_email(self, sender: str, at: datetime | None = None) -> EmailMessage | MIMEBase:
        """The message as MIME, built with the ``compat32`` classes: about 4 times cheaper than
        ``EmailMessage`` with the modern policy (which parses every header it is given), what
        a batch of thousands of answered requests pays once per person. Non-ASCII names and
        subjects are RFC 2047 encoded, bodies quoted-printable UTF-8."""
        mail: MIMEBase
        if self.html is None:
            mail = _text(self.text, "plain")
        else:
            mail = MIMEMultipart("alternative")
            mail.attach(_text(self.text, "plain"))
            mail.attach(_text(self.html, "html"))
        mail["From"] = _address(sender)
        mail["To"] = _address(self.to)
        mail["Subject"] = Header(self.subject, "utf-8").encode()
        mail["Date"] = format_datetime(at or datetime.now(UTC))
        mail["Message-ID"] = make_msgid(domain="gardien.local")
        return mail

    @classmethod
    def from_email(cls, mail: EmailMessage) -> Message:
        text_part = mail.get_body(preferencelist=("plain",))
        html_part = mail.get_body(preferencelist=("html",))
        text = text_part.get_content() if isinstance(text_part, EmailMessage) else ""
        html = html_part.get_content() if isinstance(html_part, EmailMessage) else None
        return cls(to=str(mail["To"]), subject=str(mail["Subject"]), text=text, html=html)


@runtime_checkable
class Mailer(Protocol):
    """Anything that delivers a :class:`Message`, or raises :class:`DeliveryError`.

    ``send`` may be called from several threads at once (a batch of requests answers its
    people from a few threads); both mailers here are safe for it.
    """

    def send(self, message: Message) -> None: ...


class OutboxMailer:
    """Writes each message as an ``.eml`` file in a folder, oldest first by name.

    The file appears atomically (written aside, then renamed), so a reader never sees half a
    message. Nothing is sent: the demo and the tests read the folder with :class:`Outbox`.
    """

    def __init__(self, folder: Path, sender: str = "Gardien <no-reply@gardien.local>") -> None:
        self.folder = folder
        self.sender = sender

    def send(self, message: Message) -> None:
        now = datetime.now(UTC)
        name = f"{now:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}.eml"
        body = bytes(message.to_email(self.sender, now))
        partial = self.folder / f".{name}.partial"
        try:
            try:
                partial.write_bytes(body)
            except FileNotFoundError:  # the first message (or the folder was removed)
                self.folder.mkdir(parents=True, exist_ok=True)
                partial.write_bytes(body)
            os.replace(partial, self.folder / name)
        except OSError as exc:
            raise DeliveryError(f"cannot write to the outbox {self.folder}: {exc}") from None


class Outbox:
    """Reads the messages an :class:`OutboxMailer` wrote."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def messages(self, to: str | None = None) -> list[Message]:
        """Every message, oldest first; only those addressed to ``to`` when given."""
        if not self.folder.is_dir():
            return []
        parser = BytesParser(_class=EmailMessage, policy=email_policy.default)
        found: list[Message] = []
        for path in sorted(self.folder.glob("*.eml")):
            with path.open("rb") as handle:
                mail = parser.parse(handle)
            assert isinstance(mail, EmailMessage)
            message = Message.from_email(mail)
            if to is None or message.to.lower() == to.lower():
                found.append(message)
        return found

    def latest(self, to: str | None = None) -> Message | None:
        found = self.messages(to)
        return found[-1] if found else None


class SmtpMailer:
    """Hands messages to an SMTP server: implicit TLS, STARTTLS, or plain (a local relay)."""

    def __init__(
        self,
        host: str,
        port: int = 587,
        *,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        implicit_tls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self._password = password
        self.starttls = starttls
        self.implicit_tls = implicit_tls
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"SmtpMailer(host={self.host!r}, port={self.port}, sender={self.sender!r})"

    def send(self, message: Message) -> None:
        mail = message.to_email(self.sender)
        try:
            with self._connect() as smtp:
                if self.starttls and not self.implicit_tls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self._password or "")
                smtp.send_message(mail)
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(
                f"the SMTP server {self.host}:{self.port} did not accept the message "
                f"to {message.to}: {exc}"
            ) from None

    def _connect(self) -> smtplib.SMTP:
        if self.implicit_tls:
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)
