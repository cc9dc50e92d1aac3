"""The access policy: ONE table from an action to the roles that may take it and the
relation to the case they need. Everything that decides access reads this table: the
case service's authorization (`services.access.authorize`), the generated role x action
matrix (`python -m services.access.matrix` -> docs/access-matrix.md) and the test that
runs every endpoint as every role.

A rule allows a principal when one of its roles is in `roles` AND (for a case action)
the principal holds one of `relations` to the case. `relations=None` marks an action
on no case (the provider registry, counts, the ledger, the audit lists). `ANY_CASE`
marks an action on a case that needs no relation: only break-glass, which is how
someone outside a case's scope gets in (journaled, bounded, reviewed).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from models.principal import Role


class Relation(StrEnum):
    """How a principal stands to a case (`services.access.relations`)."""

    # Social services of the municipality responsible for the case today: the placing
    # one, until an accepted transfer takes effect on its agreed date, then the
    # receiving one (`services.responsibility`); the former placing one then has none.
    PLACING = "placing"
    RECEIVING = "receiving"      # the receiving one, from its acceptance to that date
    DESTINATION = "destination"  # social services of the latest relocation's destination
    POLICE = "police"            # police staff assigned to the case (case_assignment)
    AGENCY = "agency"            # an agency the case disclosed to (with consent)
    BREAK_GLASS = "break_glass"  # an active, unexpired emergency opening
    ANY_CASE = "any_case"        # no relation needed (break-glass itself)


class Action(StrEnum):
    CASE_OPEN = "case.open"
    CASE_LIST = "case.list"
    CASE_SHOW = "case.show"
    CASE_DISCLOSED = "case.disclosed"
    CRITERION = "case.decide"
    CONSENT = "case.consent"
    NEEDS = "plan.needs"
    INTERVENTION = "plan.intervention"
    PLAN_APPROVE = "plan.approve"
    PROVIDER_ADD = "provider.add"
    PROVIDER_VET = "provider.vet"
    PROVIDER_FOLLOW_UP = "provider.follow_up"
    STATEMENT = "grant.statement"
    GRANT_COMPLETE = "grant.complete"
    RELOCATION_DECIDE = "relocation.decide"
    RELOCATION_APPROVE = "relocation.approve"
    DESTINATION_READ = "relocation.destination"
    WORK_ORDER = "belongings.work_order"
    BELONGINGS_DELIVERED = "belongings.delivered"
    TRANSFER = "transfer.answer"
    ESTABLISHMENT = "transfer.establishment"
    TRANSFER_OFFER = "transfer.offer"
    RESPONSIBILITY = "transfer.responsibility"
    ASSESS = "relapse.assess"
    INDICATORS = "after.indicators"
    CLOSE = "after.close"
    REOPEN = "after.reopen"
    ASSIGN = "case.assign"
    BREAK_GLASS = "break_glass.open"
    STATUS = "ops.status"
    LEDGER = "grants.ledger"
    BREAK_GLASS_LIST = "audit.break_glass"
    BREAK_GLASS_REVIEW = "audit.review"
    ACCESS_LOG = "audit.access_log"
    GRANT_YEAR = "grants.year"
    GRANT_RECORD = "grants.record"
    REPORT_GRANTS = "report.grants"
    FOLLOWUP_MUNICIPALITY = "report.followup_municipality"
    FOLLOWUP_NATIONAL = "report.followup_national"
    # Plan and people (docs/plan-and-people.md).
    RELAPSE_REPORT = "relapse.report"
    CLOSURE_CONFIRM = "after.close_confirm"
    PLAN_HISTORY = "plan.versions"
    PROVIDER_CONCERN = "provider.concern"
    MEETING_RECORD = "plan.meeting"
    GUARDIAN = "case.guardian"
    PROVIDER_PERMIT = "provider.permit"
    PERSON_CORRECT = "person.correct"
    SUBJECT_ACCESS = "person.subject_access"
    LEGAL_HOLD = "retention.hold"


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]
    relations: frozenset[Relation] | None  # None: not an action on a case
    what: str  # one line for the matrix
    personal: bool = False  # the answer carries personal data (journaled as a read)


SOCIAL = frozenset({Role.COORDINATOR, Role.SOCIAL_HANDLER})
COORDINATOR = frozenset({Role.COORDINATOR})
POLICE = frozenset({Role.POLICE_CONTACT, Role.POLICE_REGIONAL})
CASE_STAFF = SOCIAL | POLICE | {Role.AGENCY_STAFF}
OWNERS = frozenset({Relation.PLACING, Relation.RECEIVING})
PLACING = frozenset({Relation.PLACING})


def _r(roles: frozenset[Role], relations: frozenset[Relation] | None, what: str, *,
       personal: bool = False) -> Rule:
    return Rule(frozenset(roles), relations, what, personal)


POLICY: dict[Action, Rule] = {
    Action.CASE_OPEN: _r(SOCIAL, None, "open a case from a referral (own municipality)"),
    Action.CASE_LIST: _r(CASE_STAFF, None, "list the cases one stands in a relation to"),
    Action.CASE_SHOW: _r(SOCIAL | POLICE, OWNERS | {Relation.POLICE, Relation.BREAK_GLASS},
                         "the case view with personal data", personal=True),
    Action.CASE_DISCLOSED: _r(frozenset({Role.AGENCY_STAFF}), frozenset({Relation.AGENCY}),
                              "what was disclosed to one's agency", personal=True),
    Action.CRITERION: _r(SOCIAL, PLACING, "answer an eligibility criterion"),
    Action.CONSENT: _r(SOCIAL, PLACING, "record or withdraw consent for an agency"),
    Action.NEEDS: _r(SOCIAL, OWNERS, "record the needs assessment"),
    Action.INTERVENTION: _r(SOCIAL, OWNERS, "add an intervention to the action plan"),
    Action.PLAN_APPROVE: _r(COORDINATOR, OWNERS, "approve the action plan"),
    Action.PROVIDER_ADD: _r(SOCIAL, None, "register an external provider"),
    Action.PROVIDER_VET: _r(SOCIAL, None, "record a provider's vetting"),
    Action.PROVIDER_FOLLOW_UP: _r(SOCIAL, None, "record a provider's follow-up"),
    Action.STATEMENT: _r(POLICE, frozenset({Relation.POLICE}),
                         "the police coordinator's statement on the grant"),
    Action.GRANT_COMPLETE: _r(COORDINATOR, PLACING, "complete the grant application"),
    Action.RELOCATION_DECIDE: _r(SOCIAL, PLACING, "decide the relocation (destination, "
                                                  "address)"),
    Action.RELOCATION_APPROVE: _r(COORDINATOR, PLACING, "approve a fast-path relocation"),
    Action.DESTINATION_READ: _r(SOCIAL, OWNERS, "read the destination and address",
                                personal=True),
    Action.WORK_ORDER: _r(SOCIAL, OWNERS, "the mover's work order (no destination)"),
    Action.BELONGINGS_DELIVERED: _r(SOCIAL, frozenset({Relation.PLACING,
                                                       Relation.DESTINATION}),
                                    "confirm the belongings arrived"),
    Action.TRANSFER: _r(SOCIAL, frozenset({Relation.DESTINATION}),
                        "accept or decline the transfer of responsibility"),
    Action.ESTABLISHMENT: _r(SOCIAL, OWNERS, "record the person's establishment in the new "
                                             "town (housing, occupation, need of support)"),
    Action.TRANSFER_OFFER: _r(COORDINATOR, PLACING, "offer the transfer of responsibility, "
                                                    "with a reason"),
    Action.RESPONSIBILITY: _r(SOCIAL, OWNERS, "who is responsible, where the person stays "
                                              "and who pays, over time", personal=True),
    Action.ASSESS: _r(SOCIAL, OWNERS, "assess a relapse flag"),
    Action.INDICATORS: _r(SOCIAL, OWNERS, "record follow-up indicators"),
    Action.CLOSE: _r(COORDINATOR, OWNERS, "close the case with an outcome"),
    Action.REOPEN: _r(COORDINATOR, OWNERS, "reopen a closed case"),
    Action.ASSIGN: _r(COORDINATOR, OWNERS, "assign a handler or police contact"),
    Action.BREAK_GLASS: _r(SOCIAL | POLICE, frozenset({Relation.ANY_CASE}),
                           "open a case in an emergency, with a reason (time-limited)"),
    Action.STATUS: _r(frozenset({Role.OPERATOR}), None, "counts and case numbers, no "
                                                        "personal data"),
    Action.LEDGER: _r(frozenset({Role.GRANTS_OFFICER}), None, "the year's state-grant ledger"),
    Action.BREAK_GLASS_LIST: _r(frozenset({Role.AUDITOR}), None,
                                "break-glass openings not yet reviewed"),
    Action.BREAK_GLASS_REVIEW: _r(frozenset({Role.AUDITOR}), None,
                                  "mark a break-glass opening reviewed"),
    Action.ACCESS_LOG: _r(frozenset({Role.AUDITOR}), None, "the access log"),
    # Reports (caseservice/routes/reports.py, docs/reports.md): no personal data; every
    # count of people suppressed. The grants officer is the police's national
    # coordination function (police:national).
    Action.GRANT_YEAR: _r(frozenset({Role.GRANTS_OFFICER}), None,
                          "the year's applications, decisions, payouts and caps"),
    Action.GRANT_RECORD: _r(frozenset({Role.GRANTS_OFFICER}), None,
                            "record an application not from a case, its decision, uses, "
                            "a payout"),
    Action.REPORT_GRANTS: _r(frozenset({Role.GRANTS_OFFICER}), None,
                             "the annual account of the state grant (HTML, PDF, CSV)"),
    Action.FOLLOWUP_MUNICIPALITY: _r(COORDINATOR, None,
                                     "follow-up statistics of one's own municipality's "
                                     "cases (suppressed)"),
    Action.FOLLOWUP_NATIONAL: _r(frozenset({Role.GRANTS_OFFICER}), None,
                                 "national follow-up statistics (suppressed)"),
    # Plan and people (docs/plan-and-people.md).
    Action.RELAPSE_REPORT: _r(SOCIAL, OWNERS, "report a relapse into substance abuse or "
                                              "lost contact"),
    Action.CLOSURE_CONFIRM: _r(COORDINATOR, OWNERS, "confirm or decline a proposed closure "
                                                    "(a second person)"),
    Action.PLAN_HISTORY: _r(SOCIAL, OWNERS, "the action plan's versions"),
    Action.PROVIDER_CONCERN: _r(SOCIAL, OWNERS, "decide on a provider whose follow-up "
                                                "lapsed or failed"),
    Action.MEETING_RECORD: _r(SOCIAL, OWNERS, "record the collaboration meeting (date, "
                                              "organisations, the defector's agreement)"),
    Action.GUARDIAN: _r(SOCIAL, PLACING, "record a child's guardian and their consent"),
    Action.PROVIDER_PERMIT: _r(SOCIAL, None, "record a provider's protected-housing permit"),
    # The person's rights (GDPR art. 15, 16): the responsible coordinator records them.
    Action.PERSON_CORRECT: _r(COORDINATOR, OWNERS, "correct the person's name or identity "
                                                   "number (journaled with the reason)"),
    Action.SUBJECT_ACCESS: _r(COORDINATOR, OWNERS, "the person's subject-access export "
                                                   "(everything held, every disclosure)",
                              personal=True),
    # Retention (docs/data-over-time.md): the responsible coordinator keeps a case from
    # culling while a court, an appeal or a complaint needs it.
    Action.LEGAL_HOLD: _r(COORDINATOR, OWNERS, "set or lift a legal hold against culling, "
                                               "with a reason (journaled, encrypted)"),
}

# The relations a role can stand in at all (`relations.standing` computes them from
# the role and the organisation); the matrix shows only these.
POSSIBLE: dict[Role, frozenset[Relation]] = {
    **{r: frozenset({Relation.PLACING, Relation.RECEIVING, Relation.DESTINATION,
                     Relation.BREAK_GLASS}) for r in SOCIAL},
    **{r: frozenset({Relation.POLICE, Relation.BREAK_GLASS}) for r in POLICE},
    Role.AGENCY_STAFF: frozenset({Relation.AGENCY}),
    Role.GRANTS_OFFICER: frozenset(), Role.OPERATOR: frozenset(), Role.AUDITOR: frozenset(),
}

# Who may read the destination and address, beyond the relation: social services only,
# by role and organisation from the token (never typed). Kept as a check of its own so
# that a future rule that widens DESTINATION_READ cannot widen this.
DESTINATION_ROLES = SOCIAL

# Protection levels under which name and identity number are masked unless the viewer
# is a handler assigned to the case.
PROTECTED_LEVELS = frozenset({"sekretessmarkering", "skyddad_folkbokforing"})
HANDLER_ASSIGNMENTS = frozenset({Role.COORDINATOR.value, Role.SOCIAL_HANDLER.value})
# Roles a coordinator may assign to a case, with the organisation kind each needs.
ASSIGNABLE = frozenset({Role.COORDINATOR, Role.SOCIAL_HANDLER, Role.POLICE_CONTACT,
                        Role.POLICE_REGIONAL})


def allowed(action: Action, roles: frozenset[Role],
            relations: frozenset[Relation] = frozenset()) -> bool:
    """Whether a principal with `roles`, standing in `relations` to the case (ignored
    for actions on no case), may take `action`."""
    rule = POLICY[action]
    if not rule.roles & roles:
        return False
    if rule.relations is None or Relation.ANY_CASE in rule.relations:
        return True
    return bool(rule.relations & relations)
