"""What is generated from the policy: the notice, the art. 30 register, and the diff.

- :func:`render_notice`: the privacy notice of GDPR arts. 12–14, Markdown or standalone HTML.
- :func:`render_register`: the record of processing activities of art. 30(1), CSV or HTML.
- :func:`diff_policies`: what changed between two versions, and whether people must be told
  (art. 13(3)) or asked for consent again (art. 7(1)).
"""

from gardien.documents.changes import ChangeKind, Impact
from gardien.documents.diff import PolicyChange, PolicyDiff, diff_policies
from gardien.documents.language import (
    UnsupportedFormatError,
    UnsupportedLanguageError,
    duration_words,
    period_words,
)
from gardien.documents.notice import NOTICE_FORMATS, NoticeFormat, render_notice
from gardien.documents.register import (
    REGISTER_FORMATS,
    RegisterEntry,
    RegisterFormat,
    register_entries,
    register_headers,
    render_register,
)

__all__ = [
    "NOTICE_FORMATS",
    "REGISTER_FORMATS",
    "ChangeKind",
    "Impact",
    "NoticeFormat",
    "PolicyChange",
    "PolicyDiff",
    "RegisterEntry",
    "RegisterFormat",
    "UnsupportedFormatError",
    "UnsupportedLanguageError",
    "diff_policies",
    "duration_words",
    "period_words",
    "register_entries",
    "register_headers",
    "render_notice",
    "render_register",
]
