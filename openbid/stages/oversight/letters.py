"""The oversight body's letters given in openbid: numbered in its own series, signed with
its own key, registered like every other document and recorded on the selection's chain.

Like a transition's agency documents, a letter is numbered ``pending`` inside the
reviewer's transition with its context frozen, and a job renders and signs it afterwards;
the approval it satisfies points at the document at once and at its file once issued.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openbid import audit, clock
from openbid.documents import numbering
from openbid.models import (
    DocumentStatus,
    IssuedDocument,
    OversightBody,
    OversightCounter,
    Selection,
    User,
)
from openbid.stages.documents import (
    KIND_CODES,
    OVERSIGHT_SERIES_PREFIX,
    RESERVED,
    document_base,
    freeze,
    new_verification_code,
    oversight_signer,
)

KIND = "oversight_recommendation"
SERIES_PREFIX = OVERSIGHT_SERIES_PREFIX


def _lock_counter(session: Session, body: OversightBody, year: int) -> OversightCounter:
    """Return the body's counter of year, locked for this transaction (created on first use)."""
    stmt = (
        sa.select(OversightCounter)
        .where(OversightCounter.body_id == body.id, OversightCounter.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    counter = session.scalars(stmt).first()
    if counter is not None:
        return counter
    try:
        with session.begin_nested():
            counter = OversightCounter(body_id=body.id, year=year, last_seq=0)
            session.add(counter)
    except IntegrityError:
        counter = session.scalars(stmt).one()
    return counter


def allocate_letter_number(
    session: Session, body: OversightBody, moment: datetime
) -> tuple[int, str]:
    """Take the next number of the body's own series for the year of moment (WIB)."""
    local = clock.to_jakarta(moment)
    counter = _lock_counter(session, body, local.year)
    counter.last_seq += 1
    session.flush()
    number = numbering.format_number(
        body.numbering_pattern,
        seq=counter.last_seq,
        year=local.year,
        month=local.month,
        kind_code=KIND_CODES[KIND],
    )
    return counter.last_seq, number


def body_context(body: OversightBody) -> dict[str, str]:
    """Return the ``contexts.OversightBody`` keys of a body."""
    return {"code": body.code, "name": body.name, "seat": body.seat, "address": body.address}


def reserve_body_letter(
    session: Session,
    *,
    body: OversightBody,
    selection: Selection,
    actor: User,
    context: Mapping[str, Any],
    title: str,
    subject: Mapping[str, Any],
) -> IssuedDocument:
    """Number a letter in the body's series and register it ``pending`` with its context.

    The job that issues a transition's documents renders it and signs it with the body's
    key (``issuing.render_reserved`` picks the signer by the series) after the commit.
    """
    moment = clock.now()
    seq, number = allocate_letter_number(session, body, moment)
    code = new_verification_code(session)
    chain_seq, chain_hash = audit.lock_head(session, selection.id)
    signed = oversight_signer(body.code) is not None
    base = document_base(
        selection.agency,
        number=number,
        issued_at=moment,
        code=code,
        signed=signed,
        chain_seq=chain_seq,
        chain_hash=chain_hash,
    )
    document = IssuedDocument(
        agency_id=selection.agency_id,
        selection_id=selection.id,
        kind=KIND,
        series=f"{SERIES_PREFIX}{body.code}"[:40],
        year=clock.to_jakarta(moment).year,
        seq=seq,
        number=number,
        title=title[:300],
        verification_code=code,
        signed=signed,
        issued_by_id=actor.id,
        issued_at=moment,
        subject=dict(subject),
        chain_seq=chain_seq,
        chain_hash=chain_hash,
        status=DocumentStatus.PENDING,
        context=freeze({**context, **base}),
    )
    session.add(document)
    session.flush()
    # Issued by a job once this transaction commits (pending._after_commit).
    session.info.setdefault(RESERVED, []).append(document.id)
    return document
