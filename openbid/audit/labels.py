"""What each audit event and each of its fields is called on the auditor's pages.

An event keeps its machine name in the chain (auditors cite it, and the hash covers it); the
pages show this label first and the machine name beside it. Every event the code can write
needs a label here: ``tests/test_event_labels.py`` finds them in the code and the workflow
definitions, so a new event without a label fails the suite. Labels are English message ids,
translated where they are shown (Indonesian first).
"""

from __future__ import annotations

from openbid.rules.reasons import N_

EVENT_LABELS: dict[str, str] = {
    # The selection's workflow (one per trigger of the selection machine).
    "submit_for_approval": N_("Plan sent for the oversight body's approval"),
    "return_to_draft": N_("Plan returned to draft"),
    "record_committee_exception": N_("Committee composition exception recorded"),
    "publish_announcement": N_("Announcement published"),
    "extend_registration": N_("Registration extended"),
    "drop_position": N_("Post dropped"),
    "close_registration": N_("Registration closed"),
    "close_screening": N_("Administrative screening closed"),
    "close_assessment": N_("Competency assessment closed"),
    "close_interview": N_("Interviews closed"),
    "complete": N_("Selection completed"),
    "cancel": N_("Selection cancelled"),
    # The oversight body's decisions, given in openbid.
    "approve_plan": N_("Plan approved by the oversight body"),
    "return_plan": N_("Plan returned by the oversight body"),
    "recommend_results": N_("Results recommended by the oversight body"),
    "request_extension": N_("Extension of registration asked of the oversight body"),
    "approve_extension": N_("Extension of registration approved by the oversight body"),
    "refuse_extension": N_("Extension of registration refused by the oversight body"),
    "acknowledge_report": N_("Final report's receipt acknowledged by the oversight body"),
    # An application's workflow (one per trigger of the application machine).
    "submit": N_("Application submitted"),
    "withdraw": N_("Application withdrawn"),
    "pass_screening": N_("Passed administrative screening"),
    "fail_screening": N_("Failed administrative screening"),
    "revise_screening": N_("Screening verdict revised to pass"),
    "eliminate": N_("Eliminated"),
    "shortlist": N_("Placed among the three best"),
    "not_shortlist": N_("Not placed among the three best"),
    "appoint": N_("Appointed"),
    "not_appoint": N_("Not appointed"),
    "close": N_("Application closed"),
    # Planning.
    "selection_created": N_("Selection created"),
    "position_added": N_("Post added"),
    "position_updated": N_("Post changed"),
    "position_removed": N_("Post removed"),
    "committee_member_added": N_("Committee member added"),
    "committee_member_removed": N_("Committee member removed"),
    "schedule_updated": N_("Schedule changed"),
    "parameters_updated": N_("Registration settings changed"),
    "scoring_updated": N_("Scoring settings changed"),
    "required_gates_changed": N_("Approval gates changed"),
    "election_window_added": N_("Election window added"),
    "election_window_removed": N_("Election window removed"),
    "agency_holiday_added": N_("Agency day off added"),
    "agency_holiday_removed": N_("Agency day off removed"),
    "agency_profile_changed": N_("Agency details changed"),
    "oversight_body_created": N_("Oversight body created"),
    # Letters and approvals.
    "approval_recorded": N_("Letter recorded"),
    "shortlist_override_recorded": N_("Letter on the three best recorded"),
    "result_recommendation_recorded": N_("Recommendation on the results recorded"),
    # Registration and applications.
    "registration_opened": N_("Registration opened"),
    "registration_extended": N_("Registration extended for posts short of applicants"),
    "position_dropped": N_("Post dropped for lack of applicants"),
    "application_created": N_("Application started"),
    "candidate_profile_saved": N_("Candidate profile saved"),
    "document_uploaded": N_("Document uploaded"),
    "document_superseded": N_("Document replaced"),
    "candidates_notified": N_("Candidates notified"),
    # Assessment, interviews, results.
    "assessment_result_saved": N_("Assessment result saved"),
    "assessment_results_imported": N_("Assessment results imported"),
    "assessment_corrected": N_("Assessment result corrected"),
    "conflict_declared": N_("Conflict of interest declared"),
    "interview_scored": N_("Interview score entered"),
    "shortlist_frozen": N_("Ranking and three best fixed"),
    "shortlist_revised": N_("Ranking and three best revised"),
    # Documents.
    "document_issued": N_("Document issued"),
    # Accounts and the system.
    "oversight_body_scope_changed": N_("Oversight body's scope changed"),
    "reviewer_deactivated": N_("Oversight reviewer deactivated"),
    "reviewer_reactivated": N_("Oversight reviewer reactivated"),
    "reviewer_password_reset": N_("Oversight reviewer's password reset by the body"),
    "user_created": N_("User account created"),
    "account_registered": N_("Candidate account registered"),
    "email_confirmed": N_("Email address confirmed"),
    "password_reset_requested": N_("Password reset requested"),
    "password_reset": N_("Password reset"),
    "api_token_issued": N_("API token issued"),
    "api_token_revoked": N_("API token revoked"),
    "demo_loaded": N_("Demonstration data loaded"),
}

#: The fields an event's details show, by their key in the payload (its ``data`` merged in).
FIELD_LABELS: dict[str, str] = {
    "title": N_("Title"),
    "start_date": N_("Start date"),
    "name": N_("Name"),
    "unit": N_("Unit"),
    "level": N_("Echelon"),
    "min_rank": N_("Minimum rank"),
    "committee_role": N_("Committee role"),
    "role": N_("Role"),
    "is_internal": N_("From the agency"),
    "position_level": N_("Position level"),
    "position_title": N_("Position"),
    "user_id": N_("User"),
    "authority": N_("Authority"),
    "letter_number": N_("Letter number"),
    "letter_date": N_("Letter date"),
    "subject": N_("Subject"),
    "purpose": N_("Purpose"),
    "filename": N_("File"),
    "file_sha256": N_("File SHA-256"),
    "reason": N_("Reason"),
    "passed": N_("Passes"),
    "rules_passed": N_("Rules met"),
    "overridden": N_("Overrides the rules"),
    "failed_rules": N_("Rules not met"),
    "position": N_("Post"),
    "post": N_("Post"),
    "position_id": N_("Post"),
    "position_ids": N_("Posts"),
    "candidate": N_("Candidate"),
    "member": N_("Committee member"),
    "member_id": N_("Committee member"),
    "score": N_("Score"),
    "recused": N_("Recused"),
    "score_excluded": N_("Score excluded"),
    "kind": N_("Kind"),
    "number": N_("Number"),
    "series": N_("Series"),
    "sha256": N_("SHA-256"),
    "signed": N_("Signed"),
    "verification_code": N_("Verification code"),
    "chain_seq": N_("Chain position"),
    "chain_hash": N_("Chain head hash"),
    "doc_type": N_("Document type"),
    "document": N_("Document"),
    "original_name": N_("File name"),
    "size": N_("Size (bytes)"),
    "replaces": N_("Replaces"),
    "application_id": N_("Application"),
    "opens_at": N_("Opens"),
    "closes_at": N_("Closes"),
    "closing_time": N_("Closing time"),
    "length": N_("Length"),
    "previous_closes_at": N_("Closed before"),
    "new_closes_at": N_("Closes now"),
    "applicants": N_("Applicants per post"),
    "letter": N_("Letter"),
    "approval_id": N_("Letter on file"),
    "notified": N_("Notified"),
    "trigger": N_("Step"),
    "changes": N_("Changes"),
    "created": N_("New"),
    "before": N_("Before"),
    "after": N_("After"),
    "source": N_("Source"),
    "reused_result": N_("Result reused"),
    "revision": N_("Revision"),
    "ranking": N_("Ranking"),
    "shortlist": N_("Three best"),
    "shortlist_revision": N_("Revision of the three best"),
    "shortage": N_("Shortage"),
    "weights": N_("Weights"),
    "agency": N_("Agency"),
    "email": N_("Email"),
    "day": N_("Day"),
    "from": N_("From"),
    "until": N_("Until"),
}

#: What an event is about (its ``subject_type``), shown before the subject's number.
SUBJECT_LABELS: dict[str, str] = {
    "selection": N_("Selection"),
    "application": N_("Application"),
    "position": N_("Post"),
    "committee_member": N_("Committee member"),
    "approval": N_("Letter"),
    "document": N_("Document"),
    "application_document": N_("Uploaded document"),
    "candidate_profile": N_("Candidate profile"),
    "registration_extension": N_("Registration extension"),
    "agency": N_("Agency"),
    "agency_holiday": N_("Agency day off"),
    "api_token": N_("API token"),
    "user": N_("User"),
    "oversight_body": N_("Oversight body"),
}

#: Payload keys whose value is a role name (translated when shown).
ROLE_FIELDS = frozenset({"role", "actor_role"})
#: Payload keys whose value is a committee role (chair, secretary, member).
COMMITTEE_ROLE_FIELDS = frozenset({"committee_role"})


def event_label(event: str) -> str:
    """Return the untranslated label of an event, or its machine name when it has none."""
    return EVENT_LABELS.get(event, event)
