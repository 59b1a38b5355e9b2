"""Reasons beside a disabled button: grouped so they stay short, each naming where to act."""

from __future__ import annotations

from flask_babel import force_locale

from openbid.i18n import reason_text
from openbid.rules.reasons import Reason
from openbid.stages.overview import page_of, reason_lines


def _missing(member: str, ids: tuple[int, ...]) -> Reason:
    return Reason(
        "interview.score_missing",
        "%(member)s has not yet scored %(candidates)s.",
        {"member": member, "candidates": "…", "application_ids": ids},
    )


def test_seven_members_missing_nine_candidates_read_as_one_line_to_scoring() -> None:
    reasons = [_missing(f"Member {m}", tuple(range(1, 10))) for m in range(7)]
    lines = reason_lines(reasons)
    assert len(lines) == 1
    assert lines[0].reason.code == "interview.scores_missing"
    assert str(lines[0].reason) == "7 members have not yet scored 9 candidates."
    assert lines[0].endpoint == "committee.interview"


def test_candidates_are_counted_once_across_members() -> None:
    lines = reason_lines([_missing("A", (1, 2)), _missing("B", (2, 3))])
    assert str(lines[0].reason) == "2 members have not yet scored 3 candidates."


def test_one_member_keeps_the_names() -> None:
    reason = _missing("Dr. A", (1,))
    assert [line.reason for line in reason_lines([reason])] == [reason]


def _no_eligible(post: str) -> Reason:
    return Reason("screening.no_eligible", "No applicant for %(post)s passed.", {"post": post})


PENDING = Reason(
    "screening.pending", "%(count)d applications still have no screening verdict.", {"count": 13}
)


def test_pending_verdicts_come_first_and_the_posts_without_a_pass_fold_into_one_line() -> None:
    lines = reason_lines([_no_eligible("A"), _no_eligible("B"), _no_eligible("C"), PENDING])
    assert [line.reason.code for line in lines] == [
        "screening.pending",
        "screening.no_eligible_yet",
    ]
    assert str(lines[1].reason) == "3 posts have no applicant who passed yet (A, B, C)."
    assert {line.endpoint for line in lines} == {"committee.screening"}


def test_without_pending_verdicts_one_post_without_a_pass_stays_as_it_is() -> None:
    reason = _no_eligible("A")
    assert [line.reason for line in reason_lines([reason])] == [reason]


def test_a_missing_letter_leads_to_its_own_form() -> None:
    reason = Reason(
        "approval.gate_missing",
        "The %(gate)s is not recorded yet.",
        {"gate": "KASN recommendation", "code": "kasn"},
    )
    (line,) = reason_lines([reason])
    assert (line.endpoint, line.anchor) == ("committee.approval", "gate-kasn")
    assert page_of("appointment.no_recommendation") == ("committee.appointment", "recommendation")
    assert page_of("appointment.not_chosen") == ("committee.appointment", None)
    assert page_of("event.unknown") == (None, None)


def test_one_candidate_left_is_said_in_the_singular() -> None:
    (line,) = reason_lines([_missing("A", (7,)), _missing("B", (7,))])
    assert str(line.reason) == "2 members have not yet scored 1 candidate."


def test_grouped_posts_agree_with_their_number_in_english_and_indonesian(app) -> None:
    one = reason_lines([_no_eligible("A"), PENDING])[1].reason
    two = reason_lines([_no_eligible("A"), _no_eligible("B")])[0].reason
    letters = reason_lines(
        [Reason("approval.gate_missing", "%(gate)s", {"gate": g}) for g in ("X", "Y")]
    )[0].reason
    with app.test_request_context():
        with force_locale("en"):
            assert reason_text(one) == "No applicant for A has passed yet."
            assert reason_text(two) == (
                "No applicant passed administrative screening in 2 posts: A, B."
            )
            assert reason_text(letters) == "2 letters are not recorded yet: X, Y."
        with force_locale("id"):
            assert reason_text(two) == (
                "Tidak ada pelamar yang lulus seleksi administrasi pada 2 jabatan: A, B."
            )


def test_a_plural_reason_picks_the_form_for_its_number_in_english(app) -> None:
    posts = [_no_eligible(p) for p in "AB"]
    one = reason_lines([*posts[:1], PENDING, *posts[1:]])  # pending: folded from one post on
    assert str(one[1].reason) == "2 posts have no applicant who passed yet (A, B)."
    single = Reason(
        "x",
        "%(count)d post has no applicant who passed yet (%(posts)s).",
        {"count": 1, "posts": "A"},
        plural="%(count)d posts have no applicant who passed yet (%(posts)s).",
    )
    assert str(single) == "1 post has no applicant who passed yet (A)."
    with app.test_request_context(), force_locale("en"):
        assert reason_text(single) == "1 post has no applicant who passed yet (A)."
    with app.test_request_context(), force_locale("id"):
        assert reason_text(single) == "1 jabatan belum memiliki pelamar yang lulus (A)."
