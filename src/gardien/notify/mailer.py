"""The :class:`Mailer` protocol and its two implementations: a folder outbox and SMTP."""

from __future__ import annotations

import os
import smtplib
import ssl
import time
import uuid
from collections.abc import Sequence
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

    ``send`` may be called from another thread than the one that built the mailer (a batch
    of requests answers its people from a thread while the next batch runs) and from several
    at once (the HTTP service's workers); both mailers here are safe for it.
    """

    def send(self, message: Message) -> None: ...


@runtime_checkable
class BatchMailer(Mailer, Protocol):
    """A mailer that also delivers many messages in one go (one SMTP session, one outbox
    file) rather than one connection or one file each: what a batch of requests needs."""

    def send_many(self, messages: Sequence[Message]) -> list[DeliveryError | None]:
        """One entry per message, in order: None when delivered, else why not."""
        ...


def send_all(mailer: Mailer, messages: Sequence[Message]) -> list[DeliveryError | None]:
    """Deliver these messages, in one go when the mailer can (:class:`BatchMailer`), else
    one by one; one entry per message: None when delivered, else why not. Any mailer
    works: a custom one need only have ``send``."""
    if isinstance(mailer, BatchMailer):
        return mailer.send_many(messages)
    failures: list[DeliveryError | None] = []
    for message in messages:
        try:
            mailer.send(message)
        except DeliveryError as exc:
            failures.append(exc)
        else:
            failures.append(None)
    return failures


class OutboxMailer:
    """Writes each message as an ``.eml`` file in a folder, oldest first by name; many at
    once (:meth:`send_many`) as one ``.mbox`` file, the classic Unix mailbox.

    A file appears atomically (written aside, then renamed), so a reader never sees half a
    message. Nothing is sent: the demo and the tests read the folder with :class:`Outbox`.
    """

    def __init__(self, folder: Path, sender: str = "Gardien <no-reply@gardien.local>") -> None:
        self.folder = folder
        self.sender = sender

    def send(self, message: Message) -> None:
        now = datetime.now(UTC)
        body = bytes(message.to_email(self.sender, now))
        self._write(f"{now:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}.eml", body)

    def send_many(self, messages: Sequence[Message]) -> list[DeliveryError | None]:
        """All the messages in one ``.mbox`` file: one file created for a batch's thousand
        answers, not a thousand (each costs a directory update on the disk)."""
        if not messages:
            return []
        now = datetime.now(UTC)
        # asctime's English day and month names, whatever the locale (LC_TIME).
        separator = f"From MAILER-DAEMON {time.asctime(now.timetuple())}\n".encode()
        failures: list[DeliveryError | None] = []
        parts = []
        for message in messages:
            try:
                built = bytes(message.to_email(self.sender, now))
            except (ValueError, TypeError, LookupError) as exc:  # this one; the rest go on
                failures.append(DeliveryError(f"cannot write the message to {message.to}: {exc}"))
                continue
            failures.append(None)
            # mboxrd: a body line starting with "From " (or ">From ") gains one more ">".
            body = built.replace(b"\r\n", b"\n")
            lines = [
                b">" + ln if ln.lstrip(b">").startswith(b"From ") else ln
                for ln in body.split(b"\n")
            ]
            parts.append(separator + b"\n".join(lines) + b"\n")
        if not parts:
            return failures
        name = f"{now:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}.mbox"
        try:
            self._write(name, b"".join(parts))
        except DeliveryError as exc:
            return [f or exc for f in failures]
        return failures

    def _write(self, name: str, body: bytes) -> None:
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
        files = [*self.folder.glob("*.eml"), *self.folder.glob("*.mbox")]
        for path in sorted(files, key=lambda p: p.name):  # the names start with the time
            data = path.read_bytes()
            for raw in _mbox_entries(data) if path.suffix == ".mbox" else [data]:
                mail = parser.parsebytes(raw)
                assert isinstance(mail, EmailMessage)
                message = Message.from_email(mail)
                if to is None or message.to.lower() == to.lower():
                    found.append(message)
        return found

    def latest(self, to: str | None = None) -> Message | None:
        found = self.messages(to)
        return found[-1] if found else None


def _mbox_entries(data: bytes) -> list[bytes]:
    """The messages of an mboxrd file as :meth:`OutboxMailer.send_many` writes it, byte for
    byte: each begins with a ``From`` line and ends with the newline written after it (a
    blank line before the next one when the message ends with a newline, as ours do); a
    body line quoted as ``>From`` loses one ``>``."""
    entries: list[list[bytes]] = []
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the newline after the last message
    for line in lines:
        if line.startswith(b"From "):
            entries.append([])
        elif entries:
            quoted = line.startswith(b">") and line.lstrip(b">").startswith(b"From ")
            entries[-1].append(line[1:] if quoted else line)
    return [b"\n".join(entry) for entry in entries]


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
            raise self._refused(message, exc) from None

    def send_many(self, messages: Sequence[Message]) -> list[DeliveryError | None]:
        """Every message in one SMTP session (one connection, one TLS handshake, one login),
        not one each; a message the server refuses does not stop the others.

        A server may end a session early (a cap on messages per connection, a ``421``): a new
        session takes over from the message that was not confirmed, as long as each session
        delivers or refuses at least one message; one that makes no progress ends the batch,
        and every message left fails with its reason."""
        failures: list[DeliveryError | None] = []
        while len(failures) < len(messages):
            before = len(failures)
            try:
                self._session(messages, failures)
            except (smtplib.SMTPException, OSError) as exc:
                if len(failures) == before:  # no progress: the server is not taking any
                    failures += [self._refused(m, exc) for m in messages[len(failures) :]]
        return failures

    def _session(self, messages: Sequence[Message], failures: list[DeliveryError | None]) -> None:
        """One session sending from ``messages[len(failures)]`` on, appending each outcome;
        raises when the session itself breaks."""
        with self._connect() as smtp:
            if self.starttls and not self.implicit_tls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self._password or "")
            for message in messages[len(failures) :]:
                try:
                    smtp.send_message(message.to_email(self.sender))
                except smtplib.SMTPServerDisconnected:
                    raise
                except smtplib.SMTPResponseException as exc:
                    if exc.smtp_code == 421:  # "service closing": the session is over
                        raise
                    failures.append(self._refused(message, exc))  # this one; the rest go on
                except smtplib.SMTPException as exc:
                    failures.append(self._refused(message, exc))
                except (ValueError, TypeError, LookupError) as exc:  # cannot be built: this one
                    failures.append(self._refused(message, exc))
                else:
                    failures.append(None)

    def _refused(self, message: Message, exc: BaseException) -> DeliveryError:
        return DeliveryError(
            f"the SMTP server {self.host}:{self.port} did not accept the message "
            f"to {message.to}: {exc}"
        )

    def _connect(self) -> smtplib.SMTP:
        if self.implicit_tls:
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)
