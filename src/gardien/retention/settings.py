"""How long Gardien keeps its own records (``GARDIEN_RETENTION_*``), built once at the edge.

Each kind of record has a documented default, and may instead follow one of the policy's
retention rules (its duration), named by id: the organisation's policy has the last word on
what it keeps, Gardien's defaults apply where the policy says nothing.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from gardien.policy.durations import Duration, IsoDuration

EnvDuration = Annotated[IsoDuration, NoDecode]
"""An ISO 8601 duration read as plain text from the environment (``P3Y``), not as JSON."""


class RecordsRetention(BaseSettings):
    """Periods for Gardien's own records; see docs/retention.md for where each comes from."""

    model_config = SettingsConfigDict(env_prefix="GARDIEN_RETENTION_", extra="ignore", frozen=True)

    codes: EnvDuration = Field(
        default=Duration.parse("P1D"),
        description="One-time codes are deleted this long after they expire (a day to audit "
        "abuse, then nothing to keep: GDPR art. 5(1)(c), (e))",
    )
    codes_rule: str | None = Field(default=None, description="A policy rule to use instead")
    sessions: EnvDuration = Field(
        default=Duration.parse("P1D"),
        description="Portal and console sessions are deleted this long after they expire",
    )
    sessions_rule: str | None = Field(default=None, description="A policy rule to use instead")
    requests: EnvDuration = Field(
        default=Duration.parse("P3Y"),
        description="A closed request keeps who asked this long after closing, then only its "
        "non-personal trace stays (CNIL référentiel on the handling of rights requests)",
    )
    requests_rule: str | None = Field(default=None, description="A policy rule to use instead")
    consents: EnvDuration = Field(
        default=Duration.parse("P5Y"),
        description="The proof of a consent is kept this long after the consent ended "
        "(withdrawn, refused, expired or superseded): Code civil art. 2224, the limitation "
        "period of an action in which it may be needed (GDPR art. 7(1))",
    )
    consents_rule: str | None = Field(default=None, description="A policy rule to use instead")
