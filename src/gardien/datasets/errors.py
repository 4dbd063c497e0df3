"""Errors of the dataset engine, each naming what a person must fix (table, column, why)."""

from __future__ import annotations

from dataclasses import dataclass

from gardien.errors import GardienError, PolicyFileError


@dataclass
class DatasetFileError(PolicyFileError):
    """A dataset declaration file that cannot be used: every problem found, each located."""

    code = "invalid_dataset"


class DatasetError(GardienError):
    """The declaration and the live database disagree, or a request cannot be carried out."""

    code = "dataset_error"


class DatasetMismatchError(DatasetError):
    """The declaration names a table, column or key the database does not have."""

    code = "dataset_mismatch"


class MaskDoesNotFitError(DatasetError):
    """No value the strategy could write fits the column; nothing was changed."""

    code = "mask_does_not_fit"

    def __init__(self, table: str, column: str, reason: str) -> None:
        super().__init__(f"{table}.{column}: {reason}; nothing was changed")
        self.table = table
        self.column = column
        self.reason = reason


class ErasureAbortedError(DatasetError):
    """A safety check failed during execution; the transaction was rolled back."""

    code = "erasure_aborted"
