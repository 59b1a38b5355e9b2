"""Guards of the application stage (see openbid.stages).

Wired on the application machine's ``submit`` (registration_open, email_confirmed,
profile_complete, documents_complete, one_post_per_selection) and ``withdraw``
(before_screening) in both definitions.
"""

from __future__ import annotations

from openbid.models import Application, ApplicationState
from openbid.rules.reasons import N_, Reason, Term, Terms
from openbid.stages.applications.career import RATING_YEARS
from openbid.stages.applications.profile import missing_profile_fields
from openbid.stages.applications.registration import (
    REGISTRATION_STATE,
    one_post_reason,
    other_applications,
    registration_reason,
    required_documents,
)
from openbid.stages.applications.submission import documents_of, profile_of, received_at
from openbid.workflow.engine import Context
from openbid.workflow.registry import guard


def _application(ctx: Context) -> Application:
    return ctx.row  # these guards sit on application transitions only


@guard("registration_open")
def registration_open(ctx: Context) -> Reason | None:
    """Hold while the selection takes applications by the server's clock (Asia/Jakarta).

    A submission is decided as of the moment its request arrived (``received_at``).
    """
    return registration_reason(ctx.selection, received_at())


@guard("email_confirmed")
def email_confirmed(ctx: Context) -> Reason | None:
    """Hold when the candidate has confirmed their email address."""
    if _application(ctx).candidate.email_confirmed_at is not None:
        return None
    return Reason(
        "application.email_unconfirmed",
        N_(
            "Confirm your email address first: follow the link we emailed you (you can ask "
            "for a new one on your home page)."
        ),
    )


@guard("profile_complete")
def profile_complete(ctx: Context) -> Reason | None:
    """Hold when the candidate's profile has every field the screening needs."""
    application = _application(ctx)
    years = int((ctx.params.get("eligibility") or {}).get("rating_years", RATING_YEARS))
    missing = missing_profile_fields(profile_of(application), years)
    if not missing:
        return None
    return Reason(
        "application.profile_incomplete",
        N_("Complete your profile first; missing: %(fields)s."),
        {"fields": Terms(Term(label) for label in missing)},  # translated with the message
    )


@guard("documents_complete")
def documents_complete(ctx: Context) -> list[Reason]:
    """Hold when every document the selection asks for is uploaded; name each missing one."""
    present = documents_of(_application(ctx))  # one query, not one per required document
    return [
        Reason(
            "application.document_missing",
            N_("Missing document: %(document)s (%(label)s)."),
            {"document": doc.name_id, "label": Term(doc.label)},
        )
        for doc in required_documents(ctx.selection)
        if doc.code not in present
    ]


@guard("one_post_per_selection")
def one_post_per_selection(ctx: Context) -> Reason | None:
    """Hold unless the definition allows one post per candidate and another is submitted."""
    application = _application(ctx)
    if not (ctx.params.get("eligibility") or {}).get("one_post_per_selection", True):
        return None
    others = [
        other
        for other in other_applications(
            application.candidate_id, ctx.selection.id, exclude_id=application.id
        )
        if other.state != ApplicationState.DRAFT
    ]
    return one_post_reason(others)


@guard("before_screening")
def before_screening(ctx: Context) -> Reason | None:
    """Hold while the selection is still in its announcement (screening has not started)."""
    if ctx.selection.state == REGISTRATION_STATE:
        return None
    return Reason(
        "application.withdraw_closed",
        N_(
            "An application can be withdrawn only until registration closes; the selection is "
            "now past that. Contact the selection secretariat if you can no longer take part."
        ),
    )
