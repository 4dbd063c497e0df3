"""The vault's own setting: where the shred journal lives (``GARDIEN_SHRED_JOURNAL``).

Built once at the edge like :class:`gardien.settings.Settings`. Unset, the journal lives beside
the key file; with the key in ``GARDIEN_MASTER_KEY`` there is no file to sit beside, so it must
be set before anything can be shredded.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class VaultSettings(BaseSettings):
    """Where the journal of destroyed data keys is kept, outside the database and its backups."""

    model_config = SettingsConfigDict(env_prefix="GARDIEN_", extra="ignore", frozen=True)

    shred_journal: Path | None = Field(
        default=None, description="The shred journal; default: beside the key file (.shreds)"
    )
