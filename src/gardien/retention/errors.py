"""Errors of the retention sweeps, each naming the table, rule or hold to fix."""

from __future__ import annotations

from gardien.errors import GardienError


class RetentionError(GardienError):
    """A retention sweep cannot be planned or carried out."""

    code = "retention_error"


class RetentionConfigError(RetentionError):
    """A declaration names a rule, hold or column that the policy or the database lacks."""

    code = "retention_config"


class SweepAlreadyRunningError(RetentionError):
    """Another process holds the sweep lock; two sweeps never run at once."""

    code = "sweep_already_running"
