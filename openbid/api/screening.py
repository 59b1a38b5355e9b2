"""API v1 screening as staff and candidates see it: a selection's applications (the screening
page's list, filtered and paginated), an application's per-rule outcomes, and a candidate's
withdrawal through the workflow engine.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for
from flask_babel import gettext
from werkzeug.exceptions import NotFound

from openbid.api import schemas as s
from openbid.api.applications import application_json
from openbid.api.blueprint import actor, bp
from openbid.api.selections import query_int
from openbid.api.spec import BadRequestBody, api_route
from openbid.api.visibility import require, visible_application, visible_selection
from openbid.committee.screening import VIEW_ROLES
from openbid.i18n import reason_text
from openbid.models import ApplicationEvent, Role, ScreeningVerdict
from openbid.rules.eligibility import RuleResult
from openbid.rules.reasons import N_, Reason, ValidationFailed
from openbid.stages import screening
from openbid.workflow import fire


def _verdict_json(verdict: ScreeningVerdict | None) -> dict[str, Any] | None:
    if verdict is None:
        return None
    return {"passed": verdict.passed, "overridden": verdict.overridden, "reason": verdict.reason}


def _row(item: screening.Screened) -> dict[str, Any]:
    application = item.application
    return {
        "id": application.id,
        "state": application.state,
        "version": application.version,
        "submitted_at": application.submitted_at.isoformat() if application.submitted_at else None,
        "candidate": {"id": application.candidate_id, "name": application.candidate.name},
        "post": {"id": application.position_id, "name": application.position.name},
        "rules_passed": item.rules_passed,
        "failed_rules": [r.rule for r in item.failures],
        "verdict": _verdict_json(item.verdict),
    }


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
    post = query_int("post", 0, 0, s.MAX_INT)
    return screening.Filters(
        post=post or None,
        status=state,
        rule=(request.args.get("rule") or "").strip()[:80] or None,
        q=(request.args.get("q") or "").strip()[:80],
        page=query_int("page", 1, 1, s.MAX_INT),
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


@api_route(
    bp,
    "/selections/<int:selection_id>/applications",
    "GET",
    summary="The selection's submitted applications, filtered by post, state or failed rule, "
    f"{screening.PAGE_SIZE} a page (Link: first, prev, next, last) (secretariat, committee, "
    "admin)",
    tag="screening",
    query=s.APPLICATION_QUERY,
    responses={200: ("A page of applications with their rules' result", s.APPLICATION_PAGE)},
)
def list_applications(selection_id: int):
    """Return one page of the screening page's list, as the page filters it."""
    selection = visible_selection(selection_id)
    require(*VIEW_ROLES)
    filters = _filters()
    page = screening.listing(selection, filters)
    response = jsonify(
        {
            "applications": [_row(item) for item in page.items],
            "page": page.page,
            "pages": page.pages,
            "total": page.total,
            "counts": {str(post): tally for post, tally in page.counts.items()},
        }
    )
    response.headers["Link"] = _links(selection.id, filters, page.page, page.pages)
    return response


def _outcome(result: RuleResult, profile: dict[str, Any]) -> dict[str, Any]:
    reason = result.reason
    return {
        "rule": result.rule,
        "label": gettext(screening.rule_label(result.rule)),
        "passed": result.passed,
        "reason": None if reason is None else {"code": reason.code, "message": reason_text(reason)},
        "legal_basis": result.legal_basis,
        "waived": result.waived_failure is not None,
        "data": screening.rule_data(result.rule, profile),
    }


@api_route(
    bp,
    "/applications/<int:application_id>/screening",
    "GET",
    summary="Each eligibility rule's outcome for an application: rule, result, reason and the "
    "data it used (the candidate themself; secretariat, committee, admin)",
    tag="screening",
    responses={200: ("The rules' outcomes", s.OUTCOMES)},
)
def get_screening(application_id: int):
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
    return jsonify(
        {
            "application_id": application.id,
            "source": "verdict" if verdict else "rules",
            "profile_source": item.profile_source,
            "rules_passed": all(r.passed for r in results),
            "results": [_outcome(r, item.profile) for r in results],
            "verdict": _verdict_json(verdict),
        }
    )


@api_route(
    bp,
    "/applications/<int:application_id>/withdraw",
    "POST",
    summary="Withdraw your application; confirm must be true, it cannot be undone (candidate)",
    tag="applications",
    body=s.WITHDRAW_REQUEST,
    responses={200: ("The withdrawn application", s.APPLICATION)},
)
def post_withdraw(application_id: int, body: dict):
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
    return jsonify(application_json(application))
