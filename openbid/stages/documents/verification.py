"""Checking a file someone holds against the register: by hash, else by its printed code."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from openbid.documents import render, signing
from openbid.models import IssuedDocument
from openbid.rules.reasons import Reason
from openbid.stages.documents.codes import CODE_ALPHABET
from openbid.stages.documents.integrity import chain_state_problem
from openbid.stages.documents.registry import find_by_code, find_by_sha256
from openbid.stages.documents.signers import trust_roots

_CODE_IN_TEXT = re.compile(
    r"(?:Kode verifikasi:|/verify/)\s*([%s]{5}-[%s]{5})" % (CODE_ALPHABET, CODE_ALPHABET)
)


def code_in_pdf(data: bytes) -> str | None:
    """Return the verification code printed in a PDF's text, or None when unreadable."""
    try:
        text = render.pdf_text(data)
    except Exception:
        return None
    match = _CODE_IN_TEXT.search(text)
    return match.group(1) if match else None


@dataclass(frozen=True)
class FileCheck:
    """The outcome of checking a file against the registry."""

    sha256: str
    document: IssuedDocument | None  # the registered document it was compared with
    matched_by: str | None  # "sha256", "code" (printed code, bytes differ) or None
    identical: bool  # byte-identical to the registered document
    signature: signing.SignatureReport
    # The audit chain head the document recorded at issue: read from the file's metadata
    # when it carries one, else from the registry; and how today's chain contradicts it.
    chain_seq: int | None = None
    chain_hash: str | None = None
    chain_from_file: bool = False
    chain_problem: Reason | None = None


def check_file(session: Session, data: bytes, expected: IssuedDocument | None = None) -> FileCheck:
    """Compare a file with the registry: by hash, else by the verification code it prints.

    With ``expected`` the file is compared with that document only.
    """
    digest = hashlib.sha256(data).hexdigest()
    report = signing.verify_signature(data, trust_roots())
    if expected is not None:
        identical = digest == expected.sha256
        check = FileCheck(digest, expected, "sha256" if identical else None, identical, report)
        return _with_chain_state(session, check, data)
    document = find_by_sha256(session, digest)
    if document is not None:
        return _with_chain_state(session, FileCheck(digest, document, "sha256", True, report), data)
    code = code_in_pdf(data)
    document = find_by_code(session, code) if code else None
    check = FileCheck(digest, document, "code" if document else None, False, report)
    return _with_chain_state(session, check, data)


def _with_chain_state(session: Session, check: FileCheck, data: bytes) -> FileCheck:
    """Add the chain head the document recorded, and whether today's chain still has it."""
    document = check.document
    if document is None:
        return check
    printed = render.chain_state_in_pdf(data)
    state = printed or (
        (document.chain_seq, document.chain_hash) if document.chain_seq is not None else None
    )
    if state is None:
        return check
    return dataclasses.replace(
        check,
        chain_seq=state[0],
        chain_hash=state[1],
        chain_from_file=printed is not None,
        chain_problem=chain_state_problem(session, document, state),
    )
