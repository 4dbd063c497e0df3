"""Delivery: the outbox folder round-trips messages; SMTP talks to a real (tiny) server."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path

import pytest

from gardien.notify import (
    BatchMailer,
    DeliveryError,
    MailSettings,
    Message,
    Outbox,
    OutboxMailer,
    SmtpMailer,
    mailer_from_settings,
    send_all,
)


def test_the_outbox_keeps_messages_in_order_with_their_html(tmp_path: Path) -> None:
    mailer = OutboxMailer(tmp_path / "out")
    mailer.send(Message("a@example.fr", "Premier", "un"))
    mailer.send(Message("b@example.fr", "Deuxième", "deux", html="<p>deux</p>"))
    found = Outbox(tmp_path / "out").messages()
    assert [m.subject for m in found] == ["Premier", "Deuxième"]
    assert found[1].html is not None
    assert "<p>deux</p>" in found[1].html
    # What was sent is what is read back, byte for byte.
    assert Outbox(tmp_path / "out").latest("A@example.fr") == Message(
        "a@example.fr", "Premier", "un"
    )


def test_names_and_subjects_outside_ascii_survive_the_round_trip(tmp_path: Path) -> None:
    mailer = OutboxMailer(tmp_path / "out", sender="Société Générale Été <dpo@example.fr>")
    sent = Message("Zoé Müller <zoe@example.fr>", "Votre demande a été traitée", "Déjà fait.\n")
    mailer.send(sent)
    raw = next((tmp_path / "out").glob("*.eml")).read_bytes()
    assert raw.isascii()  # encoded words and quoted-printable: any relay accepts it
    assert Outbox(tmp_path / "out").messages() == [sent]
    assert "Société Générale Été".encode() not in raw
    assert b"D=C3=A9j=C3=A0 fait." in raw  # quoted-printable: what is ASCII reads as it is


def test_an_unwritable_outbox_is_a_delivery_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(DeliveryError, match="cannot write to the outbox"):
        OutboxMailer(blocker / "out").send(Message("a@example.fr", "s", "t"))


def test_many_messages_go_to_the_outbox_as_one_mbox_read_back_in_order(tmp_path: Path) -> None:
    mailer = OutboxMailer(tmp_path / "out")
    assert isinstance(mailer, BatchMailer)
    mailer.send(Message("first@example.fr", "Avant", "seul"))
    tricky = "From the shop:\n>From here too\n\nFrom a blank line\n"
    batch = [
        Message("a@example.fr", "Un", "un"),
        Message("Zoé <zoe@example.fr>", "Été", tricky),
        Message("c@example.fr", "Trois", "trois", html="<p>From the shop</p>"),
    ]
    assert send_all(mailer, batch) == [None, None, None]
    mailer.send(Message("last@example.fr", "Après", "seul"))
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert [f.rsplit(".", 1)[1] for f in files] == ["eml", "mbox", "eml"]  # one file for three
    found = Outbox(tmp_path / "out").messages()
    assert [m.subject for m in found] == ["Avant", "Un", "Été", "Trois", "Après"]
    assert found[1:4] == batch  # a body line starting with "From " comes back as it was
    assert Outbox(tmp_path / "out").latest("zoe@example.fr") is None  # "Zoé <…>" is the To
    assert send_all(mailer, []) == []


def test_an_unwritable_outbox_fails_every_message_of_a_batch(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    failures = send_all(OutboxMailer(blocker / "out"), [Message("a@x.fr", "s", "t")] * 2)
    assert len(failures) == 2
    assert all(isinstance(f, DeliveryError) for f in failures)


class _OnlySend:
    """A custom mailer: only ``send``, which refuses one address."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, message: Message) -> None:
        if message.to == "refused@example.fr":
            raise DeliveryError("refused")
        self.sent.append(message.to)


def test_a_mailer_without_send_many_gets_the_messages_one_by_one() -> None:
    mailer = _OnlySend()
    assert not isinstance(mailer, BatchMailer)
    failures = send_all(
        mailer, [Message(to, "s", "t") for to in ("a@x.fr", "refused@example.fr", "b@x.fr")]
    )
    assert mailer.sent == ["a@x.fr", "b@x.fr"]
    assert failures[0] is None
    assert failures[2] is None
    assert isinstance(failures[1], DeliveryError)


def test_without_an_smtp_host_the_settings_choose_the_outbox(tmp_path: Path) -> None:
    mailer = mailer_from_settings(MailSettings(outbox=tmp_path / "o"))
    assert isinstance(mailer, OutboxMailer)
    assert isinstance(mailer_from_settings(MailSettings(smtp_host="mail.example")), SmtpMailer)


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough of RFC 5321 to receive messages, several per connection."""

    def handle(self) -> None:
        server: _SmtpServer = self.server  # type: ignore[assignment]
        server.connections += 1
        self.wfile.write(b"220 test ESMTP\r\n")
        data = False
        taken = 0
        lines: list[bytes] = []
        for raw in self.rfile:
            if data:
                if raw == b".\r\n":
                    server.received.append(b"".join(lines))
                    taken += 1
                    lines = []
                    data = False
                    self.wfile.write(b"250 queued\r\n")
                else:
                    lines.append(raw[1:] if raw.startswith(b"..") else raw)
                continue
            verb = raw[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250 test\r\n")
            elif verb == b"DATA":
                data = True
                self.wfile.write(b"354 go on\r\n")
            elif verb == b"MAIL" and server.cap is not None and taken >= server.cap:
                self.wfile.write(b"421 too many messages in this session\r\n")
                return
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            elif verb == b"RCPT" and b"refused" in raw:
                self.wfile.write(b"550 no such user\r\n")
            else:
                self.wfile.write(b"250 ok\r\n")


class _SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.received: list[bytes] = []
        self.connections = 0
        self.cap: int | None = None
        """Messages a session takes before the server ends it with a 421."""


@pytest.fixture
def smtp_server() -> Iterator[_SmtpServer]:
    server = _SmtpServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_smtp_delivers_the_message(smtp_server: _SmtpServer) -> None:
    port = smtp_server.server_address[1]
    mailer = SmtpMailer("127.0.0.1", port, sender="dpo@boutique.example", starttls=False)
    mailer.send(Message("marie@example.fr", "Votre code", "Code : 123456"))
    assert len(smtp_server.received) == 1
    mail = message_from_bytes(smtp_server.received[0])
    assert mail["To"] == "marie@example.fr"
    assert mail["From"] == "dpo@boutique.example"
    assert "123456" in mail.get_payload(decode=True).decode()  # type: ignore[union-attr]


def test_an_smtp_refusal_is_a_delivery_error(smtp_server: _SmtpServer) -> None:
    port = smtp_server.server_address[1]
    mailer = SmtpMailer("127.0.0.1", port, sender="dpo@boutique.example", starttls=False)
    with pytest.raises(DeliveryError, match="did not accept"):
        mailer.send(Message("refused@example.fr", "s", "t"))


def test_smtp_sends_a_batch_in_one_session_past_a_refused_recipient(
    smtp_server: _SmtpServer,
) -> None:
    port = smtp_server.server_address[1]
    mailer = SmtpMailer("127.0.0.1", port, sender="dpo@boutique.example", starttls=False)
    batch = [Message(to, "Réponse", "Fait.") for to in ("a@x.fr", "refused@x.fr", "b@x.fr")]
    failures = send_all(mailer, batch)
    assert smtp_server.connections == 1
    assert [message_from_bytes(m)["To"] for m in smtp_server.received] == ["a@x.fr", "b@x.fr"]
    assert failures[0] is None
    assert failures[2] is None
    assert isinstance(failures[1], DeliveryError)
    assert "refused@x.fr" in failures[1].message


def test_smtp_unreachable_fails_every_message_of_a_batch() -> None:
    with socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler) as closed:
        port = closed.server_address[1]  # bound, then closed: nothing listens there
    mailer = SmtpMailer("127.0.0.1", port, sender="dpo@boutique.example", starttls=False)
    failures = send_all(mailer, [Message("a@x.fr", "s", "t"), Message("b@x.fr", "s", "t")])
    assert [type(f) for f in failures] == [DeliveryError, DeliveryError]
    assert "127.0.0.1" in str(failures[0])


def test_smtp_goes_on_in_a_new_session_when_the_server_ends_one(smtp_server: _SmtpServer) -> None:
    smtp_server.cap = 2  # as a server limiting messages per connection does
    port = smtp_server.server_address[1]
    mailer = SmtpMailer("127.0.0.1", port, sender="dpo@boutique.example", starttls=False)
    batch = [Message(f"p{i}@x.fr", "Réponse", "Fait.") for i in range(5)]
    assert send_all(mailer, batch) == [None] * 5
    assert [message_from_bytes(m)["To"] for m in smtp_server.received] == [m.to for m in batch]
    assert smtp_server.connections == 3


def test_a_message_that_cannot_be_built_fails_alone(
    tmp_path: Path, smtp_server: _SmtpServer
) -> None:
    broken = Message("\udce9@x.fr", "s", "t")  # not encodable: cannot become an e-mail
    batch = [Message("a@x.fr", "s", "t"), broken, Message("b@x.fr", "s", "t")]
    port = smtp_server.server_address[1]
    smtp = SmtpMailer("127.0.0.1", port, sender="dpo@boutique.example", starttls=False)
    for mailer in (OutboxMailer(tmp_path / "out"), smtp):
        failures = send_all(mailer, batch)
        assert failures[0] is None
        assert failures[2] is None
        assert isinstance(failures[1], DeliveryError)
    assert [m.to for m in Outbox(tmp_path / "out").messages()] == ["a@x.fr", "b@x.fr"]
    assert len(smtp_server.received) == 2
