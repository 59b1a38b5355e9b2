"""API v1 screening as staff and candidates see it: a selection's applications (the screening
page's list, filtered and paginated), an application's per-rule outcomes, and a candidate's
withdrawal through the workflow engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import marshmallow as ma
from flask import request, url_for
from flask_babel import gettext
from werkzeug.exceptions import NotFound

from openbid.api.application_schemas import ApplicationSchema
from openbid.api.applications import ApplicationShown, application_shown
from openbid.api.blueprint import actor, bp
from openbid.api.declare import BadRequestBody
from openbid.api.fields import MAX_INT, Body, Bool, Id, OneOf, Out, ReasonSchema, derived
from openbid.api.selections import query_int
from openbid.api.visibility import require, visible_application, visible_selection
from openbid.committee.screening import VIEW_ROLES
from openbid.models import ApplicationEvent, Role
from openbid.rules.eligibility import RuleResult
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages import screening
from openbid.workflow import fire


class ScreeningVerdictSchema(Out):
    """The committee's verdict: passed or not, whether it overrode the rules, why."""

    passed = ma.fields.Boolean(required=True)
    overridden = ma.fields.Boolean()
    reason = ma.fields.String(required=True)


class _Ref(Out):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)


class ScreeningRowSchema(Out):
    """An application on the screening list, with its rules' result and verdict."""

    id = derived(ma.fields.Integer(required=True), lambda i: i.application.id)
    state = derived(ma.fields.String(required=True), lambda i: i.application.state)
    version = derived(ma.fields.Integer(required=True), lambda i: i.application.version)
    submitted_at = derived(
        ma.fields.DateTime(allow_none=True), lambda i: i.application.submitted_at
    )
    candidate = derived(ma.fields.Nested(_Ref, required=True), lambda i: i.application.candidate)
    post = derived(ma.fields.Nested(_Ref, required=True), lambda i: i.application.position)
    rules_passed = ma.fields.Boolean(required=True)
    failed_rules = derived(
        ma.fields.List(ma.fields.String(), required=True), lambda i: [r.rule for r in i.failures]
    )
    verdict = ma.fields.Nested(ScreeningVerdictSchema, allow_none=True)


class ScreeningPageSchema(Out):
    """A page of the list, the number of pages and applications, the tally per post."""

    applications = derived(
        ma.fields.List(ma.fields.Nested(ScreeningRowSchema), required=True), lambda p: p.items
    )
    page = ma.fields.Integer(required=True)
    pages = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True)
    counts = derived(
        ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw()),
        lambda p: {str(post): tally for post, tally in p.counts.items()},
    )


@dataclass
class RuleOutcome:
    """A rule's result beside the profile it was evaluated on (its data is read from it)."""

    result: RuleResult
    profile: dict[str, Any]


class OutcomeSchema(Out):
    """A rule's outcome: its result, reason, legal basis and the data it used."""

    rule = derived(ma.fields.String(required=True), lambda o: o.result.rule)
    label = derived(
        ma.fields.String(required=True), lambda o: gettext(screening.rule_label(o.result.rule))
    )
    passed = derived(ma.fields.Boolean(required=True), lambda o: o.result.passed)
    reason = derived(
        ma.fields.Nested(ReasonSchema, required=True, allow_none=True), lambda o: o.result.reason
    )
    legal_basis = derived(ma.fields.String(required=True), lambda o: o.result.legal_basis)
    waived = derived(ma.fields.Boolean(), lambda o: o.result.waived_failure is not None)
    data = derived(
        ma.fields.Dict(required=True), lambda o: screening.rule_data(o.result.rule, o.profile)
    )


class OutcomesSchema(Out):
    """Each eligibility rule's outcome: the verdict's once given (staff), else evaluated now."""

    application_id = ma.fields.Integer(required=True)
    source = ma.fields.String(required=True, validate=OneOf(["verdict", "rules"]))
    profile_source = ma.fields.String(allow_none=True)
    rules_passed = ma.fields.Boolean(required=True)
    results = ma.fields.List(ma.fields.Nested(OutcomeSchema), required=True)
    verdict = ma.fields.Nested(ScreeningVerdictSchema, allow_none=True)


class WithdrawRequestSchema(Body):
    """A withdrawal: confirmed (it cannot be undone), the version read."""

    confirm = Bool(required=True)
    expected_version = Id()


def _filter_text(name: str, description: str) -> dict[str, Any]:
    schema = {"type": "string", "maxLength": 80, "pattern": "^[^\\u0000]*$"}
    return {"name": name, "in": "query", "description": description, "schema": schema}


APPLICATION_QUERY = [
    {
        "name": "post",
        "in": "query",
        "description": "Only this post's applications.",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_INT},
    },
    {
        "name": "state",
        "in": "query",
        "description": "Only applications in this screening state.",
        "schema": {"type": "string", "enum": list(screening.STATUSES)},
    },
    _filter_text("rule", "Only applications failing this rule."),
    _filter_text("q", "Only candidates whose name or NIP contains this."),
    {
        "name": "page",
        "in": "query",
        "description": "The page (from 1).",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_INT},
    },
]


def _filters() -> screening.Filters:
    """Return the list's filters from the query string.

    :raises BadRequestBody: 400 for a page or post that is not a whole number, or an unknown
        state.
    """
    state = request.args.get("state")
    if state is not None and state not in screening.STATUSES:
        reason = Reason(
            "query.state",
            N_("Field %(field)s must be one of: %(values)s."),
            {"field": "state", "values": ", ".join(screening.STATUSES)},
        )
        raise BadRequestBody([reason], status=400)
    post = query_int("post", 0, 0, MAX_INT)
    return screening.Filters(
        post=post or None,
        status=state,
        rule=(request.args.get("rule") or "").strip()[:80] or None,
        q=(request.args.get("q") or "").strip()[:80],
        page=query_int("page", 1, 1, MAX_INT),
    )


def _links(selection_id: int, filters: screening.Filters, page: int, pages: int) -> str:
    """Return the Link header of a page of the list: first, prev, next, last."""

    def url(number: int) -> str:
        args = {"post": filters.post, "state": filters.status, "rule": filters.rule}
        args = {k: v for k, v in args.items() if v} | ({"q": filters.q} if filters.q else {})
        return url_for(
            "api.list_applications_get",
            selection_id=selection_id,
            page=number,
            _external=True,
            **args,
        )

    links = [(1, "first"), (pages, "last")]
    if page > 1:
        links.append((page - 1, "prev"))
    if page < pages:
        links.append((page + 1, "next"))
    return ", ".join(f'<{url(n)}>; rel="{rel}"' for n, rel in links)


@bp.operation(
    "/selections/<int:selection_id>/applications",
    "GET",
    summary="The selection's submitted applications, filtered by post, state or failed rule, "
    f"{screening.PAGE_SIZE} a page (Link: first, prev, next, last) (secretariat, committee, "
    "admin)",
    tag="screening",
)
@bp.doc(parameters=APPLICATION_QUERY)
@bp.response(
    200, ScreeningPageSchema, description="A page of applications with their rules' result"
)
def list_applications(selection_id: int):
    """Return one page of the screening page's list, as the page filters it."""
    selection = visible_selection(selection_id)
    require(*VIEW_ROLES)
    filters = _filters()
    page = screening.listing(selection, filters)
    return page, 200, {"Link": _links(selection.id, filters, page.page, page.pages)}


@bp.operation(
    "/applications/<int:application_id>/screening",
    "GET",
    summary="Each eligibility rule's outcome for an application: rule, result, reason and the "
    "data it used (the candidate themself; secretariat, committee, admin)",
    tag="screening",
)
@bp.response(200, OutcomesSchema, description="The rules' outcomes")
def get_screening(application_id: int) -> dict[str, Any]:
    """Return the rules' outcomes: the verdict's for staff once given, else evaluated now.

    A candidate sees the rules evaluated on their own data, never the committee's verdict
    before it is published (their application's page says when it is).
    """
    application = visible_application(application_id)
    candidate = actor().role == Role.CANDIDATE
    if not candidate:
        require(*VIEW_ROLES)
    item = screening.screened(application)
    verdict = None if candidate else item.verdict
    results = screening.stored_results(verdict) if verdict else item.results
    return {
        "application_id": application.id,
        "source": "verdict" if verdict else "rules",
        "profile_source": item.profile_source,
        "rules_passed": all(r.passed for r in results),
        "results": [RuleOutcome(r, item.profile) for r in results],
        "verdict": verdict,
    }


@bp.operation(
    "/applications/<int:application_id>/withdraw",
    "POST",
    summary="Withdraw your application; confirm must be true, it cannot be undone (candidate)",
    tag="applications",
    body=True,
)
@bp.arguments(WithdrawRequestSchema)
@bp.response(200, ApplicationSchema, description="The withdrawn application")
def post_withdraw(body: dict, application_id: int) -> ApplicationShown:
    """Fire the application's withdraw event, as the portal's button does."""
    application = visible_application(application_id)
    if actor().role == Role.CANDIDATE and application.candidate_id != actor().id:
        raise NotFound()
    if not body["confirm"]:
        raise ValidationFailed(
            Reason(
                "application.withdraw_unconfirmed",
                N_("Tick the box to confirm that you withdraw; a withdrawal cannot be undone."),
            )
        )
    fire(
        application,
        ApplicationEvent.WITHDRAW,
        actor(),
        expected_version=body.get("expected_version"),
    )
    return application_shown(application)
