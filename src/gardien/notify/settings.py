"""How Gardien delivers messages, from ``GARDIEN_MAIL_*`` variables (built once at the edge).

Without an SMTP host, messages go to the local outbox folder: the demo works with no server,
and nothing is ever sent by accident from a test machine.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from gardien.notify.mailer import Mailer, OutboxMailer, SmtpMailer


class MailSettings(BaseSettings):
    """Delivery settings: an SMTP server, or the outbox folder when no host is set."""

    model_config = SettingsConfigDict(env_prefix="GARDIEN_MAIL_", extra="ignore", frozen=True)

    sender: str = Field(default="Gardien <no-reply@gardien.local>", description="From: header")
    outbox: Path = Field(default=Path("outbox"), description="Folder of the local outbox")
    smtp_host: str | None = Field(default=None, description="SMTP server; none: use the outbox")
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    smtp_implicit_tls: bool = False


def mailer_from_settings(settings: MailSettings) -> Mailer:
    """The SMTP mailer when a host is configured, else the outbox."""
    if not settings.smtp_host:
        return OutboxMailer(settings.outbox, sender=settings.sender)
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpMailer(
        settings.smtp_host,
        settings.smtp_port,
        sender=settings.sender,
        username=settings.smtp_username,
        password=password,
        starttls=settings.smtp_starttls,
        implicit_tls=settings.smtp_implicit_tls,
    )
