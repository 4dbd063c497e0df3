"""Data-subject requests (GDPR arts. 12–21): received, identity confirmed, run, answered.

Library use::

    workflow = RequestWorkflow(ledger, keys, OutboxMailer(Path("outbox")), datasets=[shop])
    request = workflow.receive("erasure", "email:marie@example.fr", "email")
    workflow.send_code(request.ref)            # one-time code to the person (art. 12(6))
    workflow.verify(request.ref, "123456")
    result = run(workflow, request.ref)         # resumable; dry_run=True changes nothing
    erasure_report(workflow, request.ref)       # an erasure's report, from its recorded steps
"""

from gardien.requests.deadlines import check_extension, due_at
from gardien.requests.erasure import report as erasure_report
from gardien.requests.erasure import write_report as write_erasure_report
from gardien.requests.errors import (
    ExtensionNotAllowedError,
    IdentityNotConfirmedError,
    InvalidTransitionError,
    ReportNotFoundError,
    RequestError,
    UnknownRequestError,
)
from gardien.requests.execution import RunResult, StepOutcome, run, run_pending
from gardien.requests.model import (
    DataSubjectRequest,
    RefusalReason,
    RequestChannel,
    RequestStatus,
    RequestType,
)
from gardien.requests.workflow import RequestWorkflow

__all__ = [
    "DataSubjectRequest",
    "ExtensionNotAllowedError",
    "IdentityNotConfirmedError",
    "InvalidTransitionError",
    "RefusalReason",
    "ReportNotFoundError",
    "RequestChannel",
    "RequestError",
    "RequestStatus",
    "RequestType",
    "RequestWorkflow",
    "RunResult",
    "StepOutcome",
    "UnknownRequestError",
    "check_extension",
    "due_at",
    "erasure_report",
    "run",
    "run_pending",
    "write_erasure_report",
]
