"""`flask --app wsgi openbid ...` commands."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click
import rq
import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import Flask, current_app

from openbid import audit, backup, checkpoints, clock, demo, demo_flow, jobs, mail
from openbid.documents import render
from openbid.extensions import db
from openbid.models import Agency, Role, Selection, User
from openbid.stages import documents as document_service

openbid_cli = click.Group("openbid", help="openbid administration commands.")
openbid_cli.add_command(mail.send_mail_command)


@openbid_cli.command("verify-audit")
@click.option(
    "--checkpoints",
    "checkpoint_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Check against the checkpoints in DIR (e.g. an auditor's copy) instead of "
    "OPENBID_CHECKPOINT_DIR.",
    metavar="DIR",
)
def verify_audit(checkpoint_dir: Path | None) -> None:
    """Recompute every audit chain and check it against its witnesses; exit 1 naming the
    first bad event.

    Witnesses: the chain head every issued document recorded, and the signed checkpoints.
    Every stored file is checked against its registry hash too.
    """
    root = checkpoint_dir or checkpoints.folder()
    found, unreadable = checkpoints.read_all(root) if root.is_dir() else ([], [])
    checkpoint_problems = unreadable + checkpoints.signature_problems(found)
    usable = [c for c in found if c.signature is None or c.signature.valid]
    document_witnesses = document_service.chain_witnesses(db.session)
    witnesses = document_witnesses + [w for c in usable for w in c.witnesses()]
    report = audit.verify_all(db.session, witnesses)
    # Pages then check only newer events; a broken chain is checked from its start again.
    audit.record_full(
        checkpoints.folder(), report.heads, sorted({p.chain for p in report.problems})
    )
    file_problems = document_service.registry_problems(db.session)
    if report.ok and not file_problems and not checkpoint_problems:
        click.echo(f"OK: {report.chains} chains, {report.events} events, all hashes match.")
        unsigned = sum(1 for c in found if c.signature is None)
        note = f" ({unsigned} unsigned: no signing key was configured)" if unsigned else ""
        click.echo(
            f"Witnesses agree: {len(document_witnesses)} issued documents, "
            f"{len(found)} checkpoints in {root}{note}."
        )
        click.echo("Stored files: every file matches its registry hash.")
        _echo_pending()
        return
    for problem in report.problems:
        where = (
            f"selection {problem.selection_id}"
            if problem.selection_id is not None
            else problem.chain
        )
        event = f"event id {problem.event_id}" if problem.event_id is not None else "chain tail"
        click.echo(f"BROKEN: {where}, {event}: {problem.message}", err=True)
    for message in checkpoint_problems:
        click.echo(f"BROKEN: {message}", err=True)
    for stored in file_problems:
        click.echo(
            f"BROKEN: stored file id {stored.file_id} ({stored.what}, sha256 "
            f"{stored.sha256[:16]}…): {stored.message}",
            err=True,
        )
    if report.problems:
        first = report.problems[0]
        click.echo(
            f"FAILED: {len(report.problems)} of {report.chains} chains broken; first bad event: "
            f"id {first.event_id if first.event_id is not None else '-'} "
            f"(#{first.seq}) in {first.chain}.",
            err=True,
        )
    if checkpoint_problems or file_problems:
        click.echo(
            f"FAILED: {len(checkpoint_problems)} checkpoints and {len(file_problems)} stored "
            "files fail their check.",
            err=True,
        )
    sys.exit(1)


def _echo_pending() -> None:
    """Say how many documents are numbered but not yet issued (in progress, not a problem)."""
    pending = len(document_service.pending_ids(db.session))
    if pending:
        click.echo(
            f"Pending: {pending} documents numbered, not yet issued "
            "(the worker issues them; or run `flask openbid issue-pending`)."
        )


@openbid_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run an RQ worker on OPENBID_REDIS_URL, after issuing what was left pending."""
    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        click.echo(
            "OPENBID_REDIS_URL is not set: jobs run in a thread of the web process.", err=True
        )
        sys.exit(1)
    if not burst:  # a long-running worker: long documents' render processes load fonts now
        render.warm_up_workers()
    document_service.sweep(app)  # e.g. documents of a worker that was killed mid-render
    queue = jobs.rq_queue(app)
    worker = rq.SimpleWorker([queue], connection=queue.connection)
    click.echo(f"Worker on queue {queue.name} at {app.config['REDIS_URL']}.")
    worker.work(burst=burst, with_scheduler=not burst)


@openbid_cli.command("issue-pending")
def issue_pending_command() -> None:
    """Issue every document numbered by a transition but not yet rendered and stored."""
    issued, failures = document_service.issue_all_pending()
    click.echo(f"Issued {issued} pending document(s); {len(failures)} failed.")
    for failure in failures:
        click.echo(f"  {failure}", err=True)
    if failures:
        sys.exit(1)


@openbid_cli.command("checkpoint")
def checkpoint_command() -> None:
    """Write a signed checkpoint of every audit chain whose head moved since its last one.

    For a scheduled job; exits 1 when a chain no longer matches its last checkpoint.
    """
    written, refused = checkpoints.write_changed(db.session)
    for path in written:
        click.echo(f"Wrote {path}")
    if written and document_service.current_signer() is None:
        click.echo("Note: no signing key is configured; these checkpoints are unsigned.")
    if not written and not refused:
        click.echo(f"Nothing to do: every chain's head is already in {checkpoints.folder()}.")
    for message in refused:
        click.echo(f"REFUSED: {message}", err=True)
    if refused:
        sys.exit(1)


@openbid_cli.command("backup")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Write every table, the stored files and the checkpoints to FILE (a new .tar.gz)."""
    if path.exists():
        raise click.BadParameter(f"{path} already exists; choose a new file name.")
    if not path.parent.is_dir():
        raise click.BadParameter(f"the folder {path.parent} does not exist.")
    summary = backup.create(path)
    for warning in summary.warnings:
        click.echo(f"WARNING: {warning}", err=True)
    click.echo(
        f"Backed up {summary.rows} rows of {summary.tables} tables, {summary.files} files "
        f"and {summary.checkpoints} checkpoints to {path}."
    )


@openbid_cli.command("restore")
@click.argument(
    "path", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
def restore_command(path: Path) -> None:
    """Load a backup FILE into this empty, freshly migrated database and its folders."""
    try:
        summary = backup.restore(path)
    except backup.NotABackup as error:
        raise click.BadParameter(str(error), param_hint="FILE") from None
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    for warning in summary.warnings:
        click.echo(f"WARNING: {warning}", err=True)
    click.echo(
        f"Restored {summary.rows} rows of {summary.tables} tables, {summary.files} files and "
        f"{summary.checkpoints} checkpoints from {path}. Check them: flask openbid verify-audit"
    )


@openbid_cli.command("verify-document")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
def verify_document(path: Path) -> None:
    """Check a PDF against the document registry; exit 0 only if registered and intact."""
    try:
        data = path.read_bytes()
    except OSError as error:
        click.echo(f"NOT VERIFIED: cannot read {path}: {error.strerror or error}", err=True)
        sys.exit(1)
    check = document_service.check_file(db.session, data)
    click.echo(f"File:       {path} ({len(data)} bytes)")
    click.echo(f"SHA-256:    {check.sha256}")
    found = check.document
    if found is not None:
        click.echo(f"Registered: {found.title}")
        click.echo(f"  kind {found.kind}, number {found.number}, code {found.verification_code}")
        issuer = db.session.get(User, found.issued_by_id) if found.issued_by_id else None
        moment = clock.to_jakarta(found.issued_at)
        click.echo(
            f"  issued {moment:%Y-%m-%d %H:%M:%S} WIB by {issuer.name if issuer else 'system'}"
        )
        click.echo(f"  registered SHA-256 {found.sha256}")
        click.echo(f"  {document_service.verify_url(found.verification_code)}")
    report = check.signature
    if not report.signed:
        click.echo("Signature:  none")
    else:
        verdict = "BROKEN (changed after signing)"
        if report.valid:
            verdict = "valid"
        elif report.intact:
            verdict = "intact, signer not trusted"
        click.echo(f"Signature:  {verdict}; signer {report.signer_name or '-'}")
    if check.identical:
        click.echo("VERIFIED: byte-identical to the registered document.")
        return
    if found is not None:
        click.echo(
            "NOT VERIFIED: the file prints a registered code but differs from the registered "
            "document; it was altered.",
            err=True,
        )
    else:
        click.echo("NOT VERIFIED: no registered document has this content.", err=True)
    sys.exit(1)


@openbid_cli.command("create-user")
@click.option("--email", required=True, help="Log-in email address.")
@click.option("--name", required=True, help="Full name as it appears on documents.")
@click.option(
    "--role",
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="What the user may do.",
)
@click.option(
    "--agency", "agency_code", help="Agency code (required for every role but candidate)."
)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Password (prompted when omitted).",
)
def create_user(email: str, name: str, role: str, agency_code: str | None, password: str) -> None:
    """Create a user account (an admin, staff member, PPK, auditor or candidate)."""
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise click.BadParameter(str(exc), param_hint="--email") from None
    if len(password) < 10:
        raise click.BadParameter("use at least 10 characters.", param_hint="--password")
    if not name.strip():
        raise click.BadParameter("enter a name.", param_hint="--name")
    agency = None
    if role != Role.CANDIDATE:
        if not agency_code:
            raise click.BadParameter(
                f"a {role} belongs to an agency; give its code.", param_hint="--agency"
            )
        agency = db.session.scalar(sa.select(Agency).where(Agency.code == agency_code))
        if agency is None:
            codes = ", ".join(db.session.scalars(sa.select(Agency.code))) or "none yet"
            raise click.BadParameter(
                f"no agency {agency_code!r} (known: {codes}).", param_hint="--agency"
            )
    if db.session.scalar(sa.select(User.id).where(sa.func.lower(User.email) == email)):
        raise click.BadParameter(f"{email} already has an account.", param_hint="--email")
    user = User(email=email, name=name.strip(), role=Role(role), agency=agency)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.append(
        db.session,
        event="user_created",
        actor=None,
        subject_type="user",
        subject_id=user.id,
        payload={"email": email, "role": role, "agency": agency_code, "via": "cli"},
    )
    db.session.commit()
    click.echo(f"Created {role} {email} (id {user.id}).")


@openbid_cli.command("demo")
@click.option(
    "--through",
    default=None,
    metavar="STATE",
    help="Advance both demo selections to STATE (draft ... completed, or cancelled).",
)
@click.option(
    "--verbose", is_flag=True, help="Also print each step, each PDF as issued, and every email."
)
def demo_command(through: str | None, verbose: bool) -> None:
    """Load the demo agencies, Kota and Kabupaten Tangerang (idempotent), upgrading the
    database first."""
    try:
        revision = demo.upgrade_schema(verbose)
    except demo.SchemaError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    if revision is not None:
        click.echo(f"Database upgraded to {revision}.")
    # The demo prints the PDFs it issued: issue them here, whatever the job queue.
    current_app.config["JOBS_MODE"] = "eager"
    # The development outbox logs every email in full: hundreds of lines over a whole run.
    mail_log = logging.getLogger("openbid.mail")
    level = mail_log.level
    if not verbose:
        mail_log.setLevel(logging.WARNING)
    try:
        created = demo.load()
        click.echo("Demo agencies loaded." if created else "Demo agencies already present.")
        progress = None
        if through:
            try:
                progress = demo_flow.advance(through, echo=click.echo if verbose else _silent)
            except demo_flow.DemoError as exc:
                raise click.UsageError(str(exc)) from None
    finally:
        mail_log.setLevel(level)
    for story in demo.STORIES:
        selection = demo.story_selection(story)
        ids = {p.selection.id: p for p in progress or ()}
        mine = ids.get(selection.id) if selection is not None else None
        _summary(story, selection, mine)


def _summary(
    story: demo.Story, selection: Selection | None, progress: demo_flow.Progress | None
) -> None:
    """Print where a demo agency's selection stands, its PDFs and its log-ins."""
    region = story.agency["region_name"]
    if selection is None:
        click.echo(f"{region}: the demo selection is no longer in the database.")
    elif progress is None:
        click.echo(f"{region}: the demo selection is in {selection.state}.")
    elif len(progress.states) == 1:
        click.echo(f"{region}: the demo selection is already in {selection.state}.")
    else:
        click.echo(f"{region}: demo selection: {' -> '.join(progress.states)}.")
    documents = demo_flow.issued_documents(selection) if selection else []
    if documents:
        click.echo(f"Issued PDFs ({len(documents)}):")
        for document in documents:
            click.echo("  " + demo_flow.document_line(document))
    click.echo(f"Log-ins of {region} (password for all: {demo.PASSWORD}):")
    logins = demo.logins(story)
    candidates = [email for email, role in logins if role == Role.CANDIDATE]
    for email, role in logins:
        if role != Role.CANDIDATE:
            click.echo(f"  {role:<12} {email}")
    click.echo(f"  {Role.CANDIDATE.value:<12} {candidates[0]} to {candidates[-1]}")


def _silent(_line: str) -> None:
    """Drop a line of the demo's step-by-step report."""


def init_app(app: Flask) -> None:
    """Register the openbid command group."""
    app.cli.add_command(openbid_cli)
