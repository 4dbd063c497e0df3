"""The one settings object, built once at the edge (CLI callback, app factory) and passed in.

Every value comes from a ``GARDIEN_*`` environment variable or an explicit argument; nothing
deeper in the code reads :data:`os.environ`. Secrets are :class:`~pydantic.SecretStr` so that
they never appear in a log line or a traceback.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///gardien.db"
DEFAULT_KEY_FILE = Path("gardien.key")


class Settings(BaseSettings):
    """Where the ledger lives, which policy it enforces, and where its keys come from."""

    model_config = SettingsConfigDict(env_prefix="GARDIEN_", extra="ignore", frozen=True)

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL; a SQLite file in the working folder by default",
    )
    policy: Path | None = Field(default=None, description="The policy file (YAML)")
    key_file: Path | None = Field(
        default=None, description="The master key file; ./gardien.key when it exists"
    )
    master_key: SecretStr | None = Field(
        default=None, description="The master key itself (GARDIEN_MASTER_KEY), instead of a file"
    )
    actor: str = Field(
        default="gardien", description="Who the audit trail names for changes made here"
    )

    @field_validator("key_file", "policy", mode="before")
    @classmethod
    def _blank_path_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("master_key")
    @classmethod
    def _blank_is_none(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            return None
        return value

    def resolved_key_file(self) -> Path | None:
        """The key file to read: the configured one, else ``./gardien.key`` if it exists."""
        if self.key_file is not None:
            return self.key_file
        return DEFAULT_KEY_FILE if DEFAULT_KEY_FILE.is_file() else None
