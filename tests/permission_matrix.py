"""The permission matrix: what every URL pattern answers to every kind of user.

tests/contracts/test_permission_matrix.py walks every URL pattern Django knows (pages and API; the
admin as one row) and compares what each user kind gets with the rows below. A pattern with no
row fails the suite, and so does a row whose pattern is gone: a new view cannot ship without a rule.

The records in the URLs belong to the West area (an audit of `west.auditor`, West's rounds, a
West report and meeting action, the force's recommendations), so West's people get 200 where
their role allows, another area's people get 404, and a role the page is not for gets 403.

How to add a row (one per URL name, `namespace:name` inside a namespace):

    "reports:detail": row(
        {"*": 404, (STRANGER, *AUDITORS, INSPECTOR): 403, WEST_REPORT_READERS: 200},
        report_id="report",
    ),

- The first argument holds the outcomes of a GET. Keys are a user kind (see USER_KINDS) or a
  tuple of kinds; "*" covers every signed-in kind not named. A kind may appear only once in a row.
  `anonymous` need not be named: a signed-out visitor is expected to be sent to sign in on a page
  and to get 401 from the API.
- Outcomes: a status code (200, 400, 401, 403, 404, 405...), LOGIN (redirect to the sign-in page),
  ADMIN_LOGIN, or redirect_to("url_name") for any other redirect.
- URL keyword arguments name the record that fills them: keys of the `records` made by
  `build_world()` in tests/url_world.py (add a record there for a new kind of object).
- A route that changes things gets its unsafe methods too: `post=`, `patch=`... with outcomes of
  that method, sent with an empty body unless `body=` gives one (a function of the records), from
  the user's session, inside a transaction that is rolled back. The test insists on them for every
  API route taking POST/PATCH/PUT/DELETE and every page that answers GET with 405. Give a body
  when the view validates input before it checks the role, or the refusal is never reached.
  A write-only route's GET (`row(None, post=...)`) must never succeed for anyone.
- A cell that shows a bug holds `bug(correct_outcome, "why")`: the matrix skips it and a strict
  xfail test holds it until the bug is fixed (then remove the bug() and keep the outcome).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

ANONYMOUS = "anonymous"
STRANGER = "stranger"  # signed in, with no role at all
INSPECTOR = "hmicfrs.inspector"
OTHER_FORCE = "manager@other-force"  # an audit manager of another force (other.manager)
LOGIN = "302-login"
ADMIN_LOGIN = "302-admin-login"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# The columns: demo users by username, plus the three made by the test.
USER_KINDS = (
    ANONYMOUS,
    STRANGER,
    "west.auditor",  # the auditor of the records in the URLs
    "west.auditor2",  # another auditor of the same area (raised the escalation)
    "west.moderator",
    "west.leader",
    "west.manager",
    "east.moderator",
    "east.leader",
    "east.manager",
    "force.manager",
    "force.leader",
    INSPECTOR,
    OTHER_FORCE,
)

AUDITORS = ("west.auditor", "west.auditor2")
MODERATORS = ("west.moderator", "east.moderator")
MANAGERS = ("west.manager", "east.manager", "force.manager", OTHER_FORCE)
LANCASHIRE_MANAGERS = ("west.manager", "east.manager", "force.manager")
LEADERS = ("west.leader", "east.leader", "force.leader")
WEST_MANAGERS = ("west.manager", "force.manager")
WEST_WRITERS = ("west.leader", "force.leader", *WEST_MANAGERS)  # reports and meeting actions
WEST_REPORT_READERS = ("west.moderator", *WEST_WRITERS)
WEST_KEY_MESSAGE_WRITERS = ("west.moderator", *WEST_MANAGERS)
WEST_ANALYSTS = (*WEST_REPORT_READERS, INSPECTOR)  # also round readers
NOT_THERE = ("east.manager", OTHER_FORCE)  # managers for whom a West record does not exist
NO_ANALYST_ROLE = (STRANGER, *AUDITORS)
NOT_REPORT_READERS = (*NO_ANALYST_ROLE, INSPECTOR)
NOT_REPORT_WRITERS = (*NOT_REPORT_READERS, *MODERATORS)
NOT_RECOMMENDATION_READERS = (STRANGER, *AUDITORS, *MODERATORS)


def redirect_to(name: str) -> str:
    return f"302->{name}"


@dataclass(frozen=True)
class Bug:
    correct: int | str
    reason: str


def bug(correct: int | str, reason: str) -> Bug:
    return Bug(correct, reason)


Cells = dict


@dataclass(frozen=True)
class Row:
    get: Cells | None
    writes: dict[str, Cells] = field(default_factory=dict)
    body: Callable[[dict], dict] | None = None
    kwargs: dict[str, str] = field(default_factory=dict)

    def cells(self, method: str) -> Cells:
        return self.get if method == "GET" else self.writes[method]

    def expect(self, kind: str, method: str, is_api: bool) -> int | str | Bug:
        for key, value in self.cells(method).items():
            if key == kind or (isinstance(key, tuple) and kind in key):
                return value
        if kind == ANONYMOUS:
            return 401 if is_api else LOGIN
        return self.cells(method)["*"]

    @property
    def methods(self) -> tuple[str, ...]:
        return (*(("GET",) if self.get is not None else ()), *self.writes)

    def overlaps(self) -> list[str]:
        """Kinds named more than once in one method's cells, and cells without a default."""
        found = []
        for method in self.methods:
            if "*" not in self.cells(method):
                found.append(f"{method} has no '*'")
            named: list[str] = []
            for key in self.cells(method):
                named.extend(key if isinstance(key, tuple) else [key])
            found += [f"{method} {k}" for k in sorted({k for k in named if named.count(k) > 1})]
        return found


def row(
    get: Cells | None, *, post=None, put=None, patch=None, delete=None, body=None, **kwargs: str
) -> Row:
    """A row: GET outcomes, those of any unsafe method, the request body, the URL's records."""
    given = {"POST": post, "PUT": put, "PATCH": patch, "DELETE": delete}
    writes = {method: cells for method, cells in given.items() if cells is not None}
    return Row(get=get, writes=writes, body=body, kwargs=kwargs)


# --- Known bugs -----------------------------------------------------------------------------------

# --- The table ------------------------------------------------------------------------------------

ROWS: dict[str, Row] = {
    # Account and sign-in
    "home": row({"*": 200}),
    "login": row({"*": redirect_to("home"), ANONYMOUS: 200}),
    "logout": row(None, post={"*": LOGIN}),
    "healthz": row({"*": 200, ANONYMOUS: 200}),
    "api_tokens": row({"*": 200}),
    "api_token_revoke": row(
        None, post={"*": 404, "west.auditor": redirect_to("api_tokens")}, token_id="token"
    ),
    "two_factor_setup": row({"*": 200}),
    "two_factor_verify": row({"*": 200}),
    # Sign-in lockouts and two-factor resets: the force-wide audit manager's. An empty unlock
    # names no lockout (404); a reset of a Lancashire user's app goes back to the page.
    "sign_in_security": row(
        {"*": 403, "force.manager": 200}, post={"*": 403, "force.manager": 404}
    ),
    "two_factor_reset": row(
        {"*": 403, "force.manager": 200},
        post={"*": 403, "force.manager": redirect_to("sign_in_security")},
        user_id="west.auditor2",
    ),
    # The auditor's walk (inspectors walk only the audits of their own inspection rounds)
    "my_audits": row({"*": 403, (*AUDITORS, INSPECTOR): 200}),
    "audit_overview": row(
        {
            "*": 403,
            ("west.auditor", *WEST_MANAGERS): 200,
            ("west.auditor2", INSPECTOR, *NOT_THERE): 404,
        },
        audit_id="audit",
    ),
    "audit_section": row(
        {"*": 403, "west.auditor": 200, ("west.auditor2", INSPECTOR): 404},
        audit_id="audit",
        section_code="section",
    ),
    "audit_check": row(
        {
            "*": 403,
            ("west.auditor", *WEST_MANAGERS): 200,
            ("west.auditor2", INSPECTOR, *NOT_THERE): 404,
        },
        audit_id="audit",
    ),
    # The audit is in progress, so grading sends its auditor back to the task list.
    "audit_grade": row(
        {
            "*": 403,
            "west.auditor": redirect_to("audit_overview"),
            ("west.auditor2", INSPECTOR): 404,
        },
        audit_id="audit",
    ),
    "audit_submitted": row(
        {"*": 403, "west.auditor": 200, ("west.auditor2", INSPECTOR): 404}, audit_id="audit"
    ),
    "escalation_new": row(
        {"*": 403, "west.auditor": 200, ("west.auditor2", INSPECTOR): 404}, audit_id="audit"
    ),
    # Raised by west.auditor2 on a West audit: the raiser and West's moderator, leader, managers.
    # Only the area's moderators and audit managers respond; the raiser and leaders read it.
    "escalation_detail": row(
        {"*": 404, (STRANGER, INSPECTOR): 403, ("west.auditor2", *WEST_REPORT_READERS): 200},
        post={
            "*": 404,
            (STRANGER, INSPECTOR, "west.auditor2", "west.leader", "force.leader"): 403,
            ("west.moderator", *WEST_MANAGERS): redirect_to("escalation_detail"),
        },
        body=lambda r: {
            "response": "Bail conditions set the same day.",
            "action_taken_on": r["today"],
        },
        escalation_id="escalation",
    ),
    # Moderation
    "moderation_queue": row({"*": 403, MODERATORS: 200}),
    "moderate_audit": row(
        {"*": 403, "west.moderator": 200, "east.moderator": 404}, audit_id="submitted_audit"
    ),
    "audit_feedback": row(
        {"*": 403, "west.moderator": 200, "east.moderator": 404}, audit_id="submitted_audit"
    ),
    "audit_feedback_sheet": row(
        {"*": 403, "west.moderator": 200, "east.moderator": 404}, audit_id="submitted_audit"
    ),
    # Public: the emailed single-use link is the credential. A guessed one is 404 to everyone.
    "feedback_acknowledge": row(
        {"*": 404, ANONYMOUS: 404},
        post={"*": 404, ANONYMOUS: 404},
        token="guessed_feedback_link",
    ),
    "consistency": row({"*": 200, NO_ANALYST_ROLE: 403}),
    # The force's blind share and the list of finding themes: the force-wide audit manager's.
    # (Finding themes have no force: one database serving several forces would need them per
    # force; until then only a force-wide audit manager may change them.)
    "moderation_settings": row(
        {"*": 403, "force.manager": 200},
        post={"*": 403, "force.manager": redirect_to("moderation_settings")},
        body=lambda r: {"action": "retire", "theme": r["finding_theme"]},
    ),
    # Which questions suggest each theme on the list: the force-wide audit manager's, like the
    # rest of the moderation settings.
    "moderation_theme_questions": row(
        {"*": 403, "force.manager": 200},
        post={"*": 403, "force.manager": redirect_to("moderation_theme_questions")},
        body=lambda r: {"theme": r["finding_theme"], "question_codes": ["Q17", "Q18"]},
    ),
    # Rounds, coverage, the dashboard, the access log, imports
    "rounds": row({"*": 200, NO_ANALYST_ROLE: 403}),
    "coverage": row({"*": 403, MANAGERS: 200}),
    "dashboard": row({"*": 200, NO_ANALYST_ROLE: 403}),
    "access_log": row({"*": 403, "force.manager": 200}),
    # Without ?kind=inspection the page is the audit manager's; inspectors add the parameter.
    "round_create": row({"*": 403, MANAGERS: 200}),
    "round_detail": row({"*": 404, NO_ANALYST_ROLE: 403, WEST_ANALYSTS: 200}, round_id="round"),
    # West's draft round for next month, its cases selected by the fixture.
    "round_select": row(
        None,
        post={"*": 403, WEST_MANAGERS: redirect_to("round_detail"), NOT_THERE: 404},
        round_id="draft_round",
    ),
    "round_allocate": row(
        None,
        post={"*": 403, WEST_MANAGERS: redirect_to("round_detail"), NOT_THERE: 404},
        round_id="draft_round",
    ),
    # Not allocated yet, so opening is refused with the reason.
    "round_open": row(
        None, post={"*": 403, WEST_MANAGERS: 400, NOT_THERE: 404}, round_id="draft_round"
    ),
    # This month's open round: not closed, so it cannot be marked reported.
    "round_reported": row(
        None, post={"*": 403, WEST_MANAGERS: 400, NOT_THERE: 404}, round_id="round"
    ),
    "round_close": row(
        {"*": 403, WEST_MANAGERS: 200, NOT_THERE: 404, INSPECTOR: 403},
        post={"*": 403, WEST_MANAGERS: redirect_to("round_detail"), NOT_THERE: 404},
        body=lambda r: {"confirm_unfinished": "on"},
        round_id="round",
    ),
    "slot_change": row(
        {"*": 403, WEST_MANAGERS: 200, NOT_THERE: 404, INSPECTOR: 403},
        post={"*": 403, WEST_MANAGERS: redirect_to("round_detail"), NOT_THERE: 404},
        body=lambda r: {"action": "random"},
        round_id="draft_round",
        slot_id="slot",
    ),
    "audit_reassign": row(
        {"*": 403, WEST_MANAGERS: 200, NOT_THERE: 404, INSPECTOR: 403},
        post={"*": 403, WEST_MANAGERS: redirect_to("round_detail"), NOT_THERE: 404},
        body=lambda r: {"auditor": r["west.auditor2"]},
        round_id="round",
        audit_id="audit",
    ),
    # Uploaded by west.manager: theirs, and the force-wide manager's.
    "imports": row({"*": 403, MANAGERS: 200}),
    "import_detail": row({"*": 403, WEST_MANAGERS: 200, NOT_THERE: 404}, import_id="case_import"),
    # The staff directory: audit managers see their force's (force-wide) or area's people; only
    # the force-wide audit manager imports it. The person is the officer in a West case.
    "directory": row({"*": 403, MANAGERS: 200}),
    "directory_person": row(
        {"*": 403, WEST_MANAGERS: 200, NOT_THERE: 404},
        post={"*": 403, WEST_MANAGERS: 400, NOT_THERE: 404},
        staff_id="staff_member",
    ),
    "directory_imports": row(
        {"*": 403, "force.manager": 200}, post={"*": 403, "force.manager": 400}
    ),
    # Uploaded by the force-wide manager: waiting for confirmation; an empty post is no action.
    "directory_import_detail": row(
        {"*": 403, "force.manager": 200},
        post={"*": 403, "force.manager": 400},
        staff_import_id="staff_import",
    ),
    # Recommendations: read by anyone with a role in the force; another force's are a 404.
    "recommendations:overview": row({"*": 200}),
    "recommendations:detail": row(
        {"*": 200, (STRANGER, OTHER_FORCE): 404}, recommendation_id="recommendation"
    ),
    "recommendations:action_new": row(
        {"*": 403, LANCASHIRE_MANAGERS: 200, (STRANGER, OTHER_FORCE): 404},
        recommendation_id="recommendation",
    ),
    "recommendations:action_edit": row(
        {"*": 403, LANCASHIRE_MANAGERS: 200, (STRANGER, OTHER_FORCE): 404},
        recommendation_id="recommendation",
        action_id="recommendation_action",
    ),
    # The force's self-assessment: audit managers and senior leaders.
    "recommendations:assessment_new": row(
        {"*": 403, (*LANCASHIRE_MANAGERS, *LEADERS): 200, (STRANGER, OTHER_FORCE): 404},
        recommendation_id="recommendation",
        kind="assessment_kind",
    ),
    # PVP reports and meeting actions: read by moderators, leaders and managers; asked for and
    # recorded by leaders and managers. The report is West's, for last month.
    "reports:list": row({"*": 200, NOT_REPORT_READERS: 403}),
    "reports:generate": row(None, post={"*": 400, NOT_REPORT_WRITERS: 403}),
    "reports:detail": row(
        {"*": 404, NOT_REPORT_READERS: 403, WEST_REPORT_READERS: 200}, report_id="report"
    ),
    "reports:regenerate": row(
        None,
        post={"*": 404, NOT_REPORT_WRITERS: 403, WEST_WRITERS: redirect_to("reports:detail")},
        report_id="report",
    ),
    "reports:download": row(
        {"*": 404, NOT_REPORT_READERS: 403, WEST_REPORT_READERS: 200}, version_id="version"
    ),
    "reports:preview": row(
        {"*": 404, NOT_REPORT_READERS: 403, WEST_REPORT_READERS: 200}, version_id="version"
    ),
    "reports:actions": row({"*": 200, NOT_REPORT_READERS: 403}),
    "reports:action_new": row({"*": 200, NOT_REPORT_WRITERS: 403}),
    "reports:action_edit": row(
        {"*": 404, NOT_REPORT_WRITERS: 403, WEST_WRITERS: 200}, action_id="meeting_action"
    ),
    # Key messages: read by every report reader; written by the area's moderator and audit managers
    # (force-wide only by audit managers), 404 for another area's.
    "reports:key_messages": row({"*": 200, NOT_REPORT_READERS: 403}),
    "reports:key_messages_edit": row(
        {"*": 404, (*NOT_REPORT_READERS, *LEADERS): 403, WEST_KEY_MESSAGE_WRITERS: 200},
        post={"*": 404, (*NOT_REPORT_READERS, *LEADERS): 403, WEST_KEY_MESSAGE_WRITERS: 400},
        meeting="west_meeting",
        month="last_month",
    ),
    # --- API ---
    "api-schema": row({"*": 200, ANONYMOUS: 401}),
    "api-docs": row({"*": 200, ANONYMOUS: 401}),
    # Audits for their auditor (and read-only for the area's audit managers)
    "api-audit-list": row({"*": 403, AUDITORS: 200}),
    "api-audit-detail": row({"*": 404, ("west.auditor", *WEST_MANAGERS): 200}, pk="audit"),
    "api-audit-answers": row(None, post={"*": 404, "west.auditor": 400}, pk="audit"),
    "api-audit-submit": row(None, post={"*": 404, "west.auditor": 400}, pk="audit"),
    # Moderation
    "api-moderation-list": row({"*": 403, MODERATORS: 200}),
    "api-moderation-detail": row(
        {"*": 403, "west.moderator": 200, "east.moderator": 404}, pk="submitted_audit"
    ),
    # The audit is not blind, so a blind grade is refused with the reason.
    "api-moderation-blind-grade": row(
        None, post={"*": 403, "west.moderator": 400, "east.moderator": 404}, pk="submitted_audit"
    ),
    "api-moderation-decision": row(
        None, post={"*": 403, "west.moderator": 400, "east.moderator": 404}, pk="submitted_audit"
    ),
    # The finding themes are the force's reference list, read by anyone signed in.
    "api-theme-list": row({"*": 200}),
    "api-theme-detail": row({"*": 200}, pk="finding_theme"),
    # Results for analysts: moderators, senior leaders, audit managers, inspectors.
    "api-aggregates": row({"*": 200, NO_ANALYST_ROLE: 403}),
    "api-export": row({"*": 200, NO_ANALYST_ROLE: 403}, file_format="export_format"),
    "api-audit-result-list": row({"*": 200, NO_ANALYST_ROLE: 403}),
    "api-audit-result-detail": row(
        {"*": 404, NO_ANALYST_ROLE: 403, WEST_ANALYSTS: 200}, pk="audit"
    ),
    "api-case-list": row({"*": 200, NO_ANALYST_ROLE: 403}),
    "api-case-detail": row({"*": 404, NO_ANALYST_ROLE: 403, WEST_ANALYSTS: 200}, pk="case"),
    "api-moderation-record-list": row({"*": 200, NO_ANALYST_ROLE: 403}),
    "api-moderation-record-detail": row(
        {"*": 404, NO_ANALYST_ROLE: 403, WEST_ANALYSTS: 200}, pk="moderation"
    ),
    # Case imports: audit managers (the import's uploader and the force-wide manager).
    "api-case-import-list": row({"*": 403, MANAGERS: 200}, post={"*": 403, MANAGERS: 400}),
    "api-case-import-detail": row({"*": 403, WEST_MANAGERS: 200, NOT_THERE: 404}, pk="case_import"),
    "api-case-import-rows": row({"*": 403, WEST_MANAGERS: 200, NOT_THERE: 404}, pk="case_import"),
    # The import's check is still queued: it cannot be confirmed or cancelled, only retried.
    "api-case-import-cancel": row(
        None, post={"*": 403, WEST_MANAGERS: 200, NOT_THERE: 404}, pk="case_import"
    ),
    "api-case-import-confirm": row(
        None, post={"*": 403, WEST_MANAGERS: 400, NOT_THERE: 404}, pk="case_import"
    ),
    "api-case-import-retry": row(
        None, post={"*": 403, WEST_MANAGERS: 202, NOT_THERE: 404}, pk="case_import"
    ),
    # Rounds: read by moderators, leaders, managers and inspectors; run by West's managers.
    "api-round-list": row(
        {"*": 200, NO_ANALYST_ROLE: 403},
        post={"*": 403, WEST_MANAGERS: 201},
        body=lambda r: {
            "area": r["west"],
            "month": r["month_after_next"],
            "due_date": r["due_after_next"],
        },
    ),
    "api-round-detail": row({"*": 404, NO_ANALYST_ROLE: 403, WEST_ANALYSTS: 200}, pk="round"),
    "api-round-select": row(
        None,
        post={"*": 403, WEST_MANAGERS: 200, (*NOT_THERE, "east.moderator", "east.leader"): 404},
        pk="draft_round",
    ),
    "api-round-allocate": row(
        None,
        post={"*": 403, WEST_MANAGERS: 200, (*NOT_THERE, "east.moderator", "east.leader"): 404},
        pk="draft_round",
    ),
    "api-round-open": row(
        None,
        post={"*": 403, WEST_MANAGERS: 400, (*NOT_THERE, "east.moderator", "east.leader"): 404},
        pk="draft_round",
    ),
    "api-round-close": row(
        None,
        post={"*": 403, WEST_MANAGERS: 400, (*NOT_THERE, "east.moderator", "east.leader"): 404},
        pk="round",
    ),
    "api-round-reassign": row(
        None,
        post={"*": 403, WEST_MANAGERS: 200, (*NOT_THERE, "east.moderator", "east.leader"): 404},
        body=lambda r: {"auditor": r["west.auditor2"]},
        pk="round",
        audit_id="audit",
    ),
    "api-selection-slot-detail": row(
        {"*": 404, NO_ANALYST_ROLE: 403, WEST_ANALYSTS: 200}, pk="slot"
    ),
    "api-selection-slot-swap": row(
        None,
        post={"*": 403, WEST_MANAGERS: 200, (*NOT_THERE, "east.moderator", "east.leader"): 404},
        pk="slot",
    ),
    # West has no case of the slot's theme in the month before: refused, after the role check.
    "api-selection-slot-draw-from-month": row(
        None,
        post={"*": 403, WEST_MANAGERS: 400, (*NOT_THERE, "east.moderator", "east.leader"): 404},
        body=lambda r: {"month": r["draw_month"]},
        pk="slot",
    ),
    "api-selection-slot-leave-empty": row(
        None,
        post={"*": 403, WEST_MANAGERS: 200, (*NOT_THERE, "east.moderator", "east.leader"): 404},
        body=lambda r: {"reason": "No case of this theme was recorded."},
        pk="slot",
    ),
    # Reports and meeting actions
    "api-report-list": row(
        {"*": 200, NOT_REPORT_READERS: 403},
        post={"*": 404, NOT_REPORT_WRITERS: 403, WEST_WRITERS: 202},
        body=lambda r: {"area": r["west"], "month": r["last_month"]},
    ),
    "api-report-detail": row(
        {"*": 404, NOT_REPORT_READERS: 403, WEST_REPORT_READERS: 200}, pk="version"
    ),
    "api-report-download": row(
        {"*": 404, NOT_REPORT_READERS: 403, WEST_REPORT_READERS: 200}, pk="version"
    ),
    "api-meeting-action-list": row(
        {"*": 200, NOT_REPORT_READERS: 403},
        post={"*": 404, NOT_REPORT_WRITERS: 403, WEST_WRITERS: 201},
        body=lambda r: {
            "area": r["west"],
            "meeting_month": r["last_month"],
            "description": "Brief response sergeants on supervision.",
            "action_type": "briefing",
            "owner": "DI West",
            "due_on": r["today"],
        },
    ),
    "api-meeting-action-detail": row(
        {"*": 404, NOT_REPORT_READERS: 403, WEST_REPORT_READERS: 200},
        patch={"*": 404, NOT_REPORT_WRITERS: 403, WEST_WRITERS: 200},
        body=lambda r: {"state": "done"},
        pk="meeting_action",
    ),
    # Recommendations: read over the API by leaders, inspectors and managers of the force.
    "api-inspection-list": row({"*": 200, NOT_RECOMMENDATION_READERS: 403}),
    "api-inspection-detail": row(
        {"*": 200, NOT_RECOMMENDATION_READERS: 403, OTHER_FORCE: 404}, pk="inspection"
    ),
    "api-recommendation-list": row(
        {"*": 200, NOT_RECOMMENDATION_READERS: 403},
        post={
            "*": 403,
            (*LANCASHIRE_MANAGERS, INSPECTOR): 201,
            (STRANGER, OTHER_FORCE): 404,
        },
        body=lambda r: {
            "inspection": r["inspection"],
            "number": 99,
            "heading": "investigation",
            "timescale": "three_months",
            "text": "Within three months, the force should review supervision.",
        },
    ),
    "api-recommendation-detail": row(
        {"*": 200, (*AUDITORS, *MODERATORS): 403, (STRANGER, OTHER_FORCE): 404},
        pk="recommendation",
    ),
    "api-recommendation-evidence": row(
        {"*": 200, (*AUDITORS, *MODERATORS): 403, (STRANGER, OTHER_FORCE): 404},
        pk="recommendation",
    ),
    "api-recommendation-action-list": row(
        {"*": 200, NOT_RECOMMENDATION_READERS: 403},
        post={"*": 403, LANCASHIRE_MANAGERS: 201, (STRANGER, OTHER_FORCE): 404},
        body=lambda r: {
            "recommendation": r["recommendation"],
            "description": "Review the plan.",
            "owner": "Central PPU",
            "due_on": r["today"],
        },
    ),
    "api-recommendation-action-detail": row(
        {"*": 200, NOT_RECOMMENDATION_READERS: 403, OTHER_FORCE: 404},
        patch={"*": 403, LANCASHIRE_MANAGERS: 200, OTHER_FORCE: 404},
        body=lambda r: {"revision": r["recommendation_action_revision"], "notes": "Checked."},
        pk="recommendation_action",
    ),
    "api-assessment-list": row(
        {"*": 200, NOT_RECOMMENDATION_READERS: 403},
        post={"*": 403, (*LANCASHIRE_MANAGERS, *LEADERS): 201, (STRANGER, OTHER_FORCE): 404},
        body=lambda r: {
            "recommendation": r["recommendation"],
            "kind": "force",
            "assessed_on": r["today"],
            "rating": "in_progress",
            "narrative": "Half the actions are complete.",
        },
    ),
    "api-assessment-detail": row(
        {"*": 200, NOT_RECOMMENDATION_READERS: 403, OTHER_FORCE: 404}, pk="assessment"
    ),
    # The admin, as one row: nobody here is staff, so every request goes to the admin's sign-in.
    "admin": row({"*": ADMIN_LOGIN, ANONYMOUS: ADMIN_LOGIN}),
}
