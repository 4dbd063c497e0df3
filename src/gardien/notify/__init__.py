"""Delivering messages to people: a pluggable :class:`Mailer`, a local outbox, SMTP.

Gardien writes to data subjects to confirm their identity (GDPR art. 12(6)) and to answer their
requests (art. 12(1), (3)). How a message leaves is the organisation's choice: the
:class:`OutboxMailer` writes each message as an ``.eml`` file in a folder (the demo, the tests,
or a relay that sends them later); :class:`SmtpMailer` hands them to an SMTP server. Both also
deliver many messages in one go (:func:`send_all`: one ``.mbox`` file, one SMTP session), what
a batch of answered requests uses; a relay that reads the outbox reads both ``*.eml`` and
``*.mbox`` files (:class:`Outbox` does).
"""

from gardien.notify.mailer import (
    BatchMailer,
    DeliveryError,
    Mailer,
    Message,
    Outbox,
    OutboxMailer,
    SmtpMailer,
    send_all,
)
from gardien.notify.settings import MailSettings, mailer_from_settings

__all__ = [
    "BatchMailer",
    "DeliveryError",
    "MailSettings",
    "Mailer",
    "Message",
    "Outbox",
    "OutboxMailer",
    "SmtpMailer",
    "mailer_from_settings",
    "send_all",
]
