"""Content-addressed storage: one row and one file per distinct content."""

from __future__ import annotations

import sqlalchemy as sa

from openbid import storage
from openbid.extensions import db
from openbid.models import StoredFile
from tests.querycount import statements


def test_new_content_is_one_statement_and_the_same_content_is_one_row(app) -> None:
    with statements() as sent:
        first = storage.store(db.session, b"%PDF-1.7 satu", "application/pdf")
    assert len(sent) == 1 and sent[0].upper().startswith("INSERT INTO STORED_FILE")
    assert first.id is not None and first.size == len(b"%PDF-1.7 satu")
    db.session.commit()
    with statements() as sent:
        again = storage.store(db.session, b"%PDF-1.7 satu", "application/pdf")
    assert again is first and len(sent) == 2  # the insert does nothing; the row is read
    other = storage.store(db.session, b"%PDF-1.7 dua", "application/pdf")
    db.session.commit()
    assert other.id != first.id
    assert db.session.scalar(sa.select(sa.func.count(StoredFile.id))) == 2
    assert storage.read(first) == b"%PDF-1.7 satu"


def test_content_stored_in_the_same_transaction_is_found(app) -> None:
    first = storage.store(db.session, b"tiga", "text/plain")
    assert storage.store(db.session, b"tiga", "text/plain") is first
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(StoredFile.id))) == 0
