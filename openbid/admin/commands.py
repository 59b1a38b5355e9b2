"""``flask admin import-signing-key``: an agency's or oversight body's own key and certificate."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa

from openbid.admin.views import bp
from openbid.extensions import db
from openbid.models import Agency, OversightBody
from openbid.stages import documents

bp.cli.short_help = "Agency and oversight-body administration."


def _issuer(agency_code: str | None, body_code: str | None) -> tuple[documents.IssuerKind, str]:
    """Return which issuer the key is for, checking it exists.

    :raises click.UsageError: unless exactly one of --agency and --body names one.
    """
    if bool(agency_code) == bool(body_code):
        raise click.UsageError("give either --agency or --body.")
    if agency_code:
        if db.session.scalar(sa.select(Agency.id).where(Agency.code == agency_code)) is None:
            raise click.BadParameter(f"no agency {agency_code!r}.", param_hint="--agency")
        return documents.AGENCY, agency_code
    code = body_code.upper()
    if db.session.scalar(sa.select(OversightBody.id).where(OversightBody.code == code)) is None:
        raise click.BadParameter(f"no oversight body {body_code!r}.", param_hint="--body")
    return documents.OVERSIGHT, code


@bp.cli.command("import-signing-key")
@click.option("--agency", "agency_code", help="The agency's code, e.g. kota-tangerang.")
@click.option("--body", "body_code", help="The oversight body's code, e.g. BKN.")
@click.option(
    "--cert",
    "cert_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A PEM/DER certificate, or a PKCS#12 (.p12) file holding key and certificate.",
)
@click.option(
    "--key",
    "key_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The PEM/DER private key (omit for a PKCS#12 file).",
)
@click.option("--password", default=None, help="The key's or PKCS#12 file's password.")
def import_signing_key(agency_code, body_code, cert_path, key_path, password) -> None:
    """Install the key that signs an agency's documents or a body's letters from now on."""
    kind, code = _issuer(agency_code, body_code)
    try:
        signer = documents.import_issuer_signing(kind, code, cert_path, key_path, password)
    except (ValueError, OSError) as error:
        raise click.ClickException(f"the key cannot be used: {error}") from None
    folder = documents.issuer_folder(kind, code)
    click.echo(f"{code} now signs as {signer.subject_name!r} (files in {folder}).")
