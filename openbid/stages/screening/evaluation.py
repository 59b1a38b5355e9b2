"""Screening many applications at once: every rule for each, in a fixed number of queries.

``screen`` loads what the rules need for a whole page of applications (profiles, documents,
verdicts, waivers, the candidates’ other posts) in one query, then evaluates each
application against its post's limits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from openbid.extensions import db
from openbid.models import (
    Application,
    ApplicationDocument,
    ApplicationState,
    Approval,
    CandidateProfile,
    IssuedDocument,
    Position,
    ScreeningVerdict,
    Selection,
    StoredFile,
)
from openbid.rules import eligibility
from openbid.rules.eligibility import EligibilityParams, RuleResult
from openbid.rules.nip import InvalidNip, parse_nip
from openbid.stages.screening.rule_inputs import (
    eligibility_params,
    one_post_result,
    profile_dict,
    rules_profile,
)
from openbid.workflow import definition_of

# Application states that still count as an application to the selection: anything submitted
# and neither withdrawn nor closed with its post.
LIVE_STATES = (
    ApplicationState.SUBMITTED,
    ApplicationState.ELIGIBLE,
    ApplicationState.INELIGIBLE,
    ApplicationState.ELIMINATED,
    ApplicationState.SHORTLISTED,
)
LIVE_STATES += (
    ApplicationState.NOT_SHORTLISTED,
    ApplicationState.APPOINTED,
    ApplicationState.NOT_APPOINTED,
)
# Listed too once submitted: withdrawn during screening, or closed with a dropped post.
ENDED_STATES = (ApplicationState.WITHDRAWN, ApplicationState.CLOSED)


@dataclass
class Screened:
    """One application as the committee screens it: profile, documents, rules, verdict."""

    application: Application
    profile: dict[str, Any]
    profile_source: str  # "snapshot" (as submitted) or "current" (no snapshot taken)
    documents: list[ApplicationDocument]
    results: list[RuleResult]
    verdict: ScreeningVerdict | None
    waiver: Approval | None

    @property
    def rules_passed(self) -> bool:
        """Return whether every rule passed."""
        return eligibility.is_eligible(self.results)

    @property
    def failures(self) -> list[RuleResult]:
        """Return the rules that failed."""
        return [r for r in self.results if not r.passed]

    @property
    def unchecked(self) -> list[RuleResult]:
        """Return the rules not yet checked (they do not block now; a later test decides)."""
        return [r for r in self.results if r.passed and r.pending]

    @property
    def met(self) -> list[RuleResult]:
        """Return the rules met."""
        return [r for r in self.results if r.passed and not r.pending]

    @property
    def bulk_confirmable(self) -> bool:
        """Return whether a pass needs no written reason: awaiting a verdict, no rule failed."""
        return self.application.state == ApplicationState.SUBMITTED and self.rules_passed

    @property
    def nip(self) -> str:
        """Return the NIP grouped as ``19860926 201505 1 001`` when it is valid."""
        raw = str(self.profile.get("nip") or "")
        try:
            return parse_nip(raw).formatted
        except InvalidNip:
            return raw

    @property
    def rank(self) -> str:
        """Return the rank as ``Pembina Tingkat I (IV/b)``, or as entered if unknown."""
        raw = str(self.profile.get("rank") or "")
        try:
            return f"{eligibility.rank_name(raw)} ({eligibility.normalize_rank(raw)})"
        except eligibility.InvalidRank:
            return raw


@dataclass
class _Records:
    """What the rules need about a set of applications, loaded in one query."""

    current: dict[int, CandidateProfile]  # by candidate, for applications without a snapshot
    documents: dict[int, list[ApplicationDocument]]  # current documents, by application
    verdicts: dict[int, ScreeningVerdict]  # by application
    waivers: dict[int, Approval]  # presidential waivers, by application
    posts_of: dict[int, list[tuple[int, str]]] | None  # by candidate; None: no one-post rule


def _announcement() -> sa.ScalarSelect:
    """The number of the selection's latest announcement, as a column of the rules' query."""
    return (
        sa.select(IssuedDocument.number)
        .where(
            IssuedDocument.selection_id == sa.bindparam("selection_id"),
            IssuedDocument.kind == "announcement",
        )
        .order_by(IssuedDocument.issued_at.desc(), IssuedDocument.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _current_profiles(applications: Sequence[Application]) -> dict[int, CandidateProfile]:
    """Return the current profile of each candidate whose application has no snapshot."""
    missing_snapshot = [a.candidate_id for a in applications if not a.profile_snapshot]
    if not missing_snapshot:
        return {}
    return {
        p.user_id: p
        for p in db.session.scalars(
            sa.select(CandidateProfile).where(CandidateProfile.user_id.in_(missing_snapshot))
        )
    }


@cache
def _inputs(one_post: bool) -> sa.Select:
    """One query for the rules' inputs: per application its verdict, each current document
    (with its file), each presidential waiver and, with the one-post rule, each other live
    application of its candidate in the selection; and the announcement's number.

    A row per combination: an application has a handful of documents and rarely a waiver or
    another post, so the rows stay few while the round trips go from five to one. Built once
    (parameters ``selection_id`` and ``ids``): building it costs more than running it.
    """
    selection_id = sa.bindparam("selection_id")
    other, other_post = sa.orm.aliased(Application), sa.orm.aliased(Position)
    waiver_of = sa.literal("waiver:") + sa.cast(Application.id, sa.String)
    stmt = (
        sa.select(
            Application.id,
            ScreeningVerdict,
            ApplicationDocument,
            Approval,
            _announcement().label("announcement"),
        )
        .select_from(Application)
        .outerjoin(ScreeningVerdict, ScreeningVerdict.application_id == Application.id)
        .outerjoin(
            ApplicationDocument,
            sa.and_(
                ApplicationDocument.application_id == Application.id,
                ApplicationDocument.superseded_at.is_(None),
            ),
        )
        .outerjoin(StoredFile, StoredFile.id == ApplicationDocument.file_id)
        .outerjoin(
            Approval,
            sa.and_(Approval.selection_id == selection_id, Approval.purpose == waiver_of),
        )
        .where(Application.id.in_(sa.bindparam("ids", expanding=True)))
        .options(contains_eager(ApplicationDocument.file))
        .order_by(Application.id, ApplicationDocument.id, Approval.id)
    )
    if not one_post:
        return stmt.add_columns(sa.null(), sa.null(), sa.null())
    return (
        stmt.add_columns(other.candidate_id, other.id, other_post.name)
        .outerjoin(
            other,
            sa.and_(
                other.candidate_id == Application.candidate_id,
                other.id != Application.id,
                other.state.in_(LIVE_STATES),
                other.position_id.in_(
                    sa.select(Position.id).where(Position.selection_id == selection_id)
                ),
            ),
        )
        .outerjoin(other_post, other_post.id == other.position_id)
        .order_by(other.id)
    )


def _records(
    selection: Selection, applications: Sequence[Application], params: Mapping[str, Any]
) -> tuple[_Records, str | None]:
    """Load what the rules need about the applications, and the announcement's basis.

    One query (``_inputs``), and one more for the current profiles of applications without
    a snapshot (none once submitted).
    """
    one_post = bool(params["eligibility"]["one_post_per_selection"])
    records = _Records(
        current=_current_profiles(applications),
        documents=defaultdict(list),
        verdicts={},
        waivers={},
        posts_of=defaultdict(list) if one_post else None,
    )
    seen: set[tuple[str, int]] = set()
    number = None
    ids = [a.id for a in applications]
    for app_id, verdict, doc, waiver, announced, candidate_id, other_id, post in db.session.execute(
        _inputs(one_post), {"selection_id": selection.id, "ids": ids}
    ):
        number = announced  # the same on every row
        if verdict is not None:
            records.verdicts[app_id] = verdict
        if doc is not None and ("doc", doc.id) not in seen:
            seen.add(("doc", doc.id))
            records.documents[app_id].append(doc)
        if waiver is not None:
            records.waivers[app_id] = waiver  # the latest on file, as rows come by id
        if other_id is not None and ("post", other_id) not in seen:
            seen.add(("post", other_id))
            records.posts_of[candidate_id].append((other_id, post))
    for posts in (records.posts_of or {}).values():
        posts.sort()
    basis = f"Pengumuman Panitia Seleksi Nomor {number}" if number else None
    return records, basis


def _screen_one(
    application: Application, rules_params: EligibilityParams, records: _Records
) -> Screened:
    """Evaluate every rule for one application against its post's limits."""
    if application.profile_snapshot:
        profile, source = dict(application.profile_snapshot), "snapshot"
    else:
        row = records.current.get(application.candidate_id)
        profile, source = (profile_dict(row) if row else {}), "current"
    docs = records.documents.get(application.id, [])
    waiver = records.waivers.get(application.id)
    results = eligibility.evaluate(
        rules_profile(
            profile,
            rules_params,
            documents=[d.doc_type for d in docs],
            waiver=waiver is not None,
        ),
        rules_params,
    )
    if records.posts_of is not None:
        others = [
            p for a, p in records.posts_of.get(application.candidate_id, []) if a != application.id
        ]
        results.append(one_post_result(others, rules_params.announcement_basis))
    return Screened(
        application=application,
        profile=profile,
        profile_source=source,
        documents=docs,
        results=results,
        verdict=records.verdicts.get(application.id),
        waiver=waiver,
    )


def screen(selection: Selection, applications: Sequence[Application]) -> list[Screened]:
    """Evaluate every rule for the given applications of one selection.

    Loads documents, verdicts, waivers, the one-post check and the announcement in one
    query (profiles in one more, when not snapshotted), whatever the number of applications.

    :raises ValidationFailed: when the selection's eligibility parameters are unusable.
    """
    if not applications:
        return []
    params = definition_of(selection).params(selection.parameters)
    records, basis = _records(selection, applications, params)
    params_by_post: dict[int, EligibilityParams] = {}
    screened = []
    for application in applications:
        position = application.position
        if position.id not in params_by_post:
            params_by_post[position.id] = eligibility_params(selection, position, params, basis)
        screened.append(_screen_one(application, params_by_post[position.id], records))
    return screened


# db.session.info key: the one evaluation of each application a verdict is being given on,
# by application id, so the guard and the action of its event reuse it (see ``evaluated``).
_EVALUATED = "openbid.screening.evaluated"


def screened(application: Application) -> Screened:
    """Return one application screened: the evaluation in force for it, or a fresh one.

    :raises ValidationFailed: when the selection's eligibility parameters are unusable.
    """
    cached = db.session.info.get(_EVALUATED, {}).get(application.id)
    if cached is not None:
        return cached
    (result,) = screen(application.position.selection, [application])
    return result


@contextmanager
def evaluated(application: Application) -> Iterator[Screened]:
    """Evaluate the rules for one application once; inside the block every reader reuses it.

    A verdict decides on the rules' result before firing its event, and the event's guard
    and action need the same result: one evaluation, so what the audit event says and what
    the verdict stores cannot differ, and the rules' queries run once per verdict.
    """
    result = screened(application)
    key = application.id  # read now: the commit inside the block expires the row
    cache = db.session.info.setdefault(_EVALUATED, {})
    cache[key] = result
    try:
        yield result
    finally:
        cache.pop(key, None)


@contextmanager
def evaluated_many(screenings: Sequence[Screened]) -> Iterator[None]:
    """Make these evaluations the ones in force for their applications inside the block.

    Several verdicts in one transaction (a bulk confirmation) screen their applications in
    one go; each verdict's guard and action then reuse its own evaluation.
    """
    cache = db.session.info.setdefault(_EVALUATED, {})
    keys = [item.application.id for item in screenings]
    cache.update(zip(keys, screenings, strict=True))
    try:
        yield
    finally:
        for key in keys:
            cache.pop(key, None)


def evaluate(application: Application) -> list[RuleResult]:
    """Return every eligibility rule's result for one application.

    :raises ValidationFailed: when the selection's eligibility parameters are unusable.
    """
    return screened(application).results


def applications_to_screen(selection: Selection) -> list[Application]:
    """Return the submitted applications of a selection, by post and submission order."""
    return list(
        db.session.scalars(
            sa.select(Application)
            .join(Position, Application.position_id == Position.id)
            .where(
                Position.selection_id == selection.id,
                sa.or_(
                    Application.state.in_(LIVE_STATES),
                    sa.and_(
                        Application.state.in_(ENDED_STATES), Application.submitted_at.is_not(None)
                    ),
                ),
            )
            .options(joinedload(Application.candidate), joinedload(Application.position))
            .order_by(Position.id, Application.submitted_at, Application.id)
        )
    )


def counts(screened: Sequence[Screened]) -> dict[str, int]:
    """Return how many applications are pending, eligible and ineligible."""
    tally = {"pending": 0, "eligible": 0, "ineligible": 0, "other": 0}
    for item in screened:
        state = item.application.state
        if state == ApplicationState.SUBMITTED:
            tally["pending"] += 1
        elif state == ApplicationState.INELIGIBLE:
            tally["ineligible"] += 1
        elif state in LIVE_STATES:
            tally["eligible"] += 1  # eligible, or passed and moved on to later stages
        else:
            tally["other"] += 1
    return tally
