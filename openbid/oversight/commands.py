"""``flask oversight create-body``, ``set-scope`` and ``create-reviewer``: oversight bodies,
their scope and their users (the platform operator's; a body's administrator manages its
reviewers on the web, admin/body)."""

from __future__ import annotations

import click
import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from openbid.extensions import db
from openbid.models import Agency, OversightBody, User
from openbid.oversight.views import bp
from openbid.rules.reasons import ValidationFailed
from openbid.stages import oversight as service
from openbid.stages.oversight import bodies

bp.cli.short_help = "Oversight bodies (KASN, BKN) and their reviewers."


@bp.cli.command("create-body")
@click.option("--code", required=True, help="The name the definitions use: KASN or BKN.")
@click.option("--name", required=True, help="Full name, e.g. Komisi Aparatur Sipil Negara.")
@click.option("--pattern", required=True, help="Letter numbering, e.g. B-{seq}/KASN/{year}.")
@click.option("--province", "provinces", multiple=True, help="A province it supervises.")
@click.option("--agency", "agency_codes", multiple=True, help="An agency code it supervises.")
@click.option("--service-level", default=10, show_default=True, help="Working days.")
def create_body(code, name, pattern, provinces, agency_codes, service_level) -> None:
    """Create an oversight body with its own (demo) signing key."""
    ids = []
    for agency_code in agency_codes:
        agency = db.session.scalar(sa.select(Agency).where(Agency.code == agency_code))
        if agency is None:
            raise click.BadParameter(f"no agency {agency_code!r}.", param_hint="--agency")
        ids.append(agency.id)
    try:
        body = service.create_body(
            code=code,
            name=name,
            numbering_pattern=pattern,
            provinces=provinces,
            agency_ids=ids,
            service_level_days=service_level,
        )
    except ValidationFailed as error:
        raise click.ClickException("; ".join(r.code for r in error.reasons)) from None
    click.echo(f"Created oversight body {body.code} (id {body.id}).")


@bp.cli.command("set-scope")
@click.option("--body", "body_code", required=True, help="The body's code (KASN, BKN).")
@click.option("--province", "provinces", multiple=True, help="A province it supervises.")
@click.option("--agency", "agency_codes", multiple=True, help="An agency code it supervises.")
@click.option("--service-level", type=int, default=None, help="Working days.")
def set_scope(body_code, provinces, agency_codes, service_level) -> None:
    """Replace a body's scope: the provinces and agencies it supervises."""
    body = db.session.scalar(sa.select(OversightBody).where(OversightBody.code == body_code))
    if body is None:
        raise click.BadParameter(f"no oversight body {body_code!r}.", param_hint="--body")
    ids = []
    for agency_code in agency_codes:
        agency = db.session.scalar(sa.select(Agency).where(Agency.code == agency_code))
        if agency is None:
            raise click.BadParameter(f"no agency {agency_code!r}.", param_hint="--agency")
        ids.append(agency.id)
    try:
        bodies.set_scope(
            body, provinces=provinces, agency_ids=ids, service_level_days=service_level
        )
    except ValidationFailed as error:
        raise click.ClickException("; ".join(r.code for r in error.reasons)) from None
    click.echo(
        f"{body.code} now supervises provinces {body.provinces or '-'} and agencies "
        f"{list(agency_codes) or '-'}; service level {body.service_level_days} working days."
    )


@bp.cli.command("create-reviewer")
@click.option("--body", "body_code", required=True, help="The body's code (KASN, BKN).")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--title", default="", help="Position, e.g. Asisten Komisioner.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--admin", is_flag=True, help="The body's administrator: manages its reviewers.")
def create_reviewer(body_code, email, name, title, password, admin) -> None:
    """Create a reviewer (role ``oversight``) of a body, or its administrator (--admin)."""
    body = db.session.scalar(sa.select(OversightBody).where(OversightBody.code == body_code))
    if body is None:
        raise click.BadParameter(f"no oversight body {body_code!r}.", param_hint="--body")
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise click.BadParameter(str(exc), param_hint="--email") from None
    if len(password) < 10:
        raise click.BadParameter("use at least 10 characters.", param_hint="--password")
    if db.session.scalar(sa.select(User.id).where(sa.func.lower(User.email) == email)):
        raise click.BadParameter(f"{email} already has an account.", param_hint="--email")
    user = service.create_reviewer(
        body, email=email, name=name, password=password, title=title, admin=admin
    )
    kind = "administrator" if admin else "reviewer"
    click.echo(f"Created oversight {kind} {user.email} of {body.code} (id {user.id}).")
