"""The organisation's databases: declarations, scanning, and set-based request execution.

Public API::

    dataset = load_dataset("examples/datasets/shop.yaml", policy)
    engine = DatasetEngine(dataset, url_from_env(dataset, os.environ), policy=policy)
    engine.plan([Subject.of(email="a@b.fr")])      # dry run: an ErasurePlan with counts
    engine.erase([Subject.of(email="a@b.fr")])     # one transaction: an ErasureReport
    engine.access(Subject.of(email="a@b.fr"), "access.zip")
"""

from gardien.datasets.access import AccessPackage, TableExtract, portable_categories
from gardien.datasets.declaration import (
    Column,
    ColumnErasure,
    Dataset,
    Follow,
    Link,
    Table,
    TableErasure,
)
from gardien.datasets.engine import DatasetEngine, ErasureReport, url_from_env
from gardien.datasets.erasure import ErasurePlan, HeldRows, TablePlan
from gardien.datasets.errors import (
    DatasetError,
    DatasetFileError,
    DatasetMismatchError,
    ErasureAbortedError,
    MaskDoesNotFitError,
)
from gardien.datasets.loader import load_dataset, parse_dataset
from gardien.datasets.rectification import Rectification
from gardien.datasets.traversal import Footprint, Subject

__all__ = [
    "AccessPackage",
    "Column",
    "ColumnErasure",
    "Dataset",
    "DatasetEngine",
    "DatasetError",
    "DatasetFileError",
    "DatasetMismatchError",
    "ErasureAbortedError",
    "ErasurePlan",
    "ErasureReport",
    "Follow",
    "Footprint",
    "HeldRows",
    "Link",
    "MaskDoesNotFitError",
    "Rectification",
    "Subject",
    "Table",
    "TableErasure",
    "TableExtract",
    "TablePlan",
    "load_dataset",
    "parse_dataset",
    "portable_categories",
    "url_from_env",
]
