"""A new selection: its title, start date and the workflow definition it follows."""

from __future__ import annotations

from datetime import date

from openbid.i18n import short_date
from openbid.models import Agency, Selection, User
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages.planning.draft import PLAN_ROLES, clean_text, too_long
from openbid.stages.planning.selections import create_selection
from openbid.workflow import WorkflowDefinition, workflows
from openbid.workflow.access import check_staff


def start_selection(
    agency: Agency,
    actor: User,
    *,
    title: str,
    start_date: date | None,
    workflow: str | WorkflowDefinition | None = None,
) -> Selection:
    """Create a draft selection; the definition follows the start date unless one is chosen.

    ``workflow`` is a definition or its ident ``"key@version"``; a chosen definition must
    apply on the start date (KASN's until 30 October 2023, BKN's from the day after).

    :raises Forbidden: for a role other than secretariat/admin, or another agency.
    :raises ValidationFailed: on an empty or long title, no start date, or a definition that
        is not installed or does not apply on the start date.
    """
    check_staff(actor, agency.id, PLAN_ROLES)
    title = clean_text(title)
    reasons = _title_reasons(title)
    definition = None
    if start_date is None:
        reasons.append(Reason("selection.start", N_("Enter the start date of the selection.")))
    else:
        definition, refused = _definition_for(workflow, start_date)
        reasons += refused
        if definition is not None:
            reasons += _period_reasons(definition, start_date)
    if reasons:
        raise ValidationFailed(reasons)
    return create_selection(
        agency, actor, title=title, start_date=start_date, definition=definition
    )


def _title_reasons(title: str) -> list[Reason]:
    reasons = []
    if not title:
        reasons.append(Reason("selection.title", N_("Enter a title for the selection.")))
    return reasons + too_long("selection.title_long", N_("title"), title, 300)


def _definition_for(
    workflow: str | WorkflowDefinition | None, start_date: date
) -> tuple[WorkflowDefinition | None, list[Reason]]:
    """Return the chosen definition (by ident), or the one for the start date; or why none."""
    if isinstance(workflow, WorkflowDefinition):
        return workflow, []
    if workflow:
        key, _, version = str(workflow).partition("@")
        try:
            return workflows().get(key, int(version)), []
        except (LookupError, ValueError):
            return None, [
                Reason(
                    "selection.workflow",
                    N_("The workflow %(workflow)s is not installed."),
                    {"workflow": str(workflow)},
                )
            ]
    try:
        return workflows().for_date(start_date), []
    except LookupError:
        return None, [
            Reason(
                "selection.no_workflow",
                N_("No installed workflow applies to a selection starting on %(date)s."),
                {"date": short_date(start_date)},
            )
        ]


def _period_reasons(definition: WorkflowDefinition, start_date: date) -> list[Reason]:
    """Return why a selection starting on start_date may not follow definition, or nothing."""
    if definition.applies_on(start_date):
        return []
    until = definition.valid_until
    return [
        Reason(
            "selection.workflow_period",
            N_(
                "The workflow %(workflow)s applies to selections starting from %(from)s"
                " to %(until)s; this one starts on %(date)s."
            ),
            {
                "workflow": definition.title,
                "from": short_date(definition.valid_from),
                "until": short_date(until) if until else "—",
                "date": short_date(start_date),
            },
        )
    ]
