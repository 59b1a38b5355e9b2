"""The documents each stage issues: numbering, rendering, signing and registering them, and the
data each one shows.

Issuing: ``kinds`` (series, codes, titles per kind), ``numbers`` (the gapless counters),
``codes`` (verification codes), ``signers`` (the signing certificate), ``issuing`` (number,
render, sign, store, register, audit), ``registry`` (look-ups), ``verification`` (a file
against the register), ``integrity`` (stored files and chain heads). Contexts: ``wording``
(Indonesian texts), ``common``, ``letters`` and ``committee`` (shared pieces), then one module
per document family: ``announcement``, ``screening``, ``results``, ``decree``, ``report``,
``audit_trail``; ``contexts.build_context`` picks the builder of a kind. ``actions`` numbers
them on the transitions (``pending``, context ``frozen``); ``pending`` issues them in a job.

What other layers may call is what this package exports below.
"""

from flask import Flask

from openbid.stages.documents import actions, guards  # noqa: F401 - registers the names
from openbid.stages.documents import pending as _pending
from openbid.stages.documents import signers as _signers
from openbid.stages.documents.announcement import (
    announcement_context,
    extension_notice_context,
    general_requirements,
    required_documents,
)
from openbid.stages.documents.audit_trail import (
    EXPORT_TRAIL,
    audit_trail_context,
    export_audit_trail,
    export_job,
    submit_trail_export,
)
from openbid.stages.documents.codes import (
    CODE_ALPHABET,
    CODE_LENGTH,
    CODE_PATTERN,
    new_verification_code,
    normalise_code,
    verify_url,
)
from openbid.stages.documents.committee import chair_signatory, committee_context, recusals_context
from openbid.stages.documents.common import (
    People,
    legal_basis,
    reason_in_indonesian,
    selection_context,
)
from openbid.stages.documents.contexts import build_context
from openbid.stages.documents.decree import decree_context
from openbid.stages.documents.frozen import freeze
from openbid.stages.documents.integrity import (
    StoredFileProblem,
    chain_state_problem,
    chain_witnesses,
    registry_problems,
)
from openbid.stages.documents.issuing import (
    OVERSIGHT_SERIES_PREFIX,
    PDF_TYPE,
    RESERVED,
    agency_context,
    append_issued_event,
    document_base,
    issue_document,
)
from openbid.stages.documents.kinds import (
    DEFAULT_PATTERNS,
    KIND_CODES,
    KIND_LABELS,
    KIND_SERIES,
    KIND_TITLES,
    document_title,
)
from openbid.stages.documents.letters import oversight_letter, result_letter
from openbid.stages.documents.numbers import Numbering, allocate_number, numbering_for
from openbid.stages.documents.pending import (
    RUN_EVENT,
    issue_all_pending,
    issue_pending,
    issues_documents,
    job_documents,
    pending_ids,
    submit_event,
    sweep,
    track_fired,
)
from openbid.stages.documents.registry import (
    document_bytes,
    download_name,
    find_by_code,
    find_by_sha256,
    latest,
    selection_documents,
)
from openbid.stages.documents.report import oversight_report_context
from openbid.stages.documents.results import (
    Rankings,
    plenary_minutes_context,
    results_announcement_context,
    top_three_announcement_context,
)
from openbid.stages.documents.screening import (
    screening_announcement_context,
    screening_minutes_context,
)
from openbid.stages.documents.signers import (
    AGENCY,
    OVERSIGHT,
    SIGNING_FOLDER,
    IssuerKind,
    SigningSetup,
    agency_signer,
    current_signer,
    ensure_demo_signing,
    ensure_issuer_signing,
    ensure_oversight_signing,
    import_issuer_signing,
    issuer_folder,
    issuer_signer,
    load_signer,
    oversight_signer,
    signing_setup,
    trust_roots,
)
from openbid.stages.documents.verification import FileCheck, check_file, code_in_pdf
from openbid.stages.documents.wording import (
    ADDRESSEES,
    AUTHORITY_NAMES,
    COMMITTEE_ROLES_ID,
    COMPONENT_LABELS_ID,
    DEFAULT_ANNOUNCEMENT_NOTES,
    DEFAULT_CONTACT_HOURS,
    DEFAULT_DECREE_COPIES,
    DEFAULT_RESULTS_NOTES,
    DEFAULT_SCREENING_NOTES,
    DEFAULT_TOP_THREE_NOTES,
    DOCUMENT_DESCRIPTIONS,
    EDUCATION_ID,
    GATE_SUBJECTS,
    RATINGS_ID,
    RESULT_SUBJECT,
    RESULTS_STAGE_NAME,
    SHORT_KIND_ID,
    STAGE_DOCUMENTS,
    STAGE_LABELS_ID,
)

__all__ = [
    "ADDRESSEES",
    "AUTHORITY_NAMES",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "CODE_PATTERN",
    "COMMITTEE_ROLES_ID",
    "COMPONENT_LABELS_ID",
    "DEFAULT_ANNOUNCEMENT_NOTES",
    "DEFAULT_CONTACT_HOURS",
    "DEFAULT_DECREE_COPIES",
    "DEFAULT_PATTERNS",
    "DEFAULT_RESULTS_NOTES",
    "DEFAULT_SCREENING_NOTES",
    "DEFAULT_TOP_THREE_NOTES",
    "DOCUMENT_DESCRIPTIONS",
    "EDUCATION_ID",
    "FileCheck",
    "GATE_SUBJECTS",
    "KIND_CODES",
    "KIND_LABELS",
    "KIND_SERIES",
    "KIND_TITLES",
    "Numbering",
    "PDF_TYPE",
    "RUN_EVENT",
    "People",
    "RATINGS_ID",
    "RESULTS_STAGE_NAME",
    "RESULT_SUBJECT",
    "Rankings",
    "SHORT_KIND_ID",
    "SIGNING_FOLDER",
    "STAGE_DOCUMENTS",
    "STAGE_LABELS_ID",
    "SigningSetup",
    "StoredFileProblem",
    "agency_context",
    "allocate_number",
    "announcement_context",
    "audit_trail_context",
    "build_context",
    "chain_state_problem",
    "chain_witnesses",
    "chair_signatory",
    "check_file",
    "code_in_pdf",
    "committee_context",
    "current_signer",
    "decree_context",
    "document_base",
    "document_bytes",
    "document_title",
    "download_name",
    "ensure_demo_signing",
    "export_audit_trail",
    "export_job",
    "EXPORT_TRAIL",
    "submit_trail_export",
    "extension_notice_context",
    "find_by_code",
    "find_by_sha256",
    "general_requirements",
    "init_app",
    "issue_all_pending",
    "issue_document",
    "issue_pending",
    "issues_documents",
    "job_documents",
    "latest",
    "legal_basis",
    "load_signer",
    "new_verification_code",
    "normalise_code",
    "numbering_for",
    "oversight_letter",
    "pending_ids",
    "oversight_report_context",
    "plenary_minutes_context",
    "reason_in_indonesian",
    "recusals_context",
    "registry_problems",
    "required_documents",
    "result_letter",
    "results_announcement_context",
    "screening_announcement_context",
    "screening_minutes_context",
    "selection_context",
    "selection_documents",
    "signing_setup",
    "submit_event",
    "track_fired",
    "sweep",
    "top_three_announcement_context",
    "trust_roots",
    "verify_url",
    "append_issued_event",
    "ensure_oversight_signing",
    "oversight_signer",
    "OVERSIGHT_SERIES_PREFIX",
    "RESERVED",
    "freeze",
    "AGENCY",
    "IssuerKind",
    "OVERSIGHT",
    "agency_signer",
    "ensure_issuer_signing",
    "import_issuer_signing",
    "issuer_folder",
    "issuer_signer",
]


def init_app(app: Flask) -> None:
    """Load a configured signer (failing early) and issue transitions' documents by job.

    :raises ConfigError: when OPENBID_SIGNING_* name files that cannot be loaded.
    """
    _signers.init_app(app)
    _pending.init_app(app)
