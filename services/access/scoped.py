"""The case view cut to the viewer's part in the case. A case is shared work, not
shared data: the placing and the receiving social services (and an emergency opening)
see the whole case; the police contacts of the case see what they work on (the
eligibility, the threat assessment, the grant, relocation's housing form, the register
checks, what the case waits for), not the needs, the meeting's invitees, the action
plan or the consents to other agencies, any of which may tell a sensitive category
(health care, SiS, substance abuse). A protected identity is masked unless the viewer
is a handler assigned to the case."""

from __future__ import annotations

from models.journal import Kind
from services.access.disclosed import MASK
from services.access.policy import Relation
from services.access.relations import Standing
from services.views import CaseView

WHOLE_CASE = frozenset({Relation.PLACING, Relation.RECEIVING, Relation.BREAK_GLASS})
POLICE_CONSENTS = frozenset({"police"})
# Journal entries the police contacts see: none names another agency or a need.
POLICE_ENTRIES = frozenset({Kind.OPENED, Kind.DECISION, Kind.ADMITTED, Kind.CLOSED,
                            Kind.REOPENED, Kind.GRANT_STATEMENT, Kind.GRANT_DECIDED,
                            Kind.GRANT_COMPLETION_REQUESTED, Kind.RELAPSE_FLAGGED,
                            Kind.RELAPSE_NOTIFIED, Kind.RELAPSE_ASSESSED,
                            Kind.RELOCATION_DECIDED, Kind.RELOCATION_APPROVED,
                            Kind.ESTABLISHED})


WHOLE_FIELDS = ("name", "identity_number", "protection_level", "criteria", "consents",
                "threat", "needs", "network", "meeting", "plan", "grant", "relocation",
                "protection", "belongings", "transfer", "timeline", "register_disclosures")
POLICE_FIELDS = ("name", "identity_number", "protection_level", "criteria", "consents",
                 "threat", "grant", "relocation", "timeline", "register_disclosures")


def view_fields(found: Standing) -> tuple[str, ...]:
    """The personal data `scoped` leaves in the view (journaled with the read)."""
    return WHOLE_FIELDS if found.relations & WHOLE_CASE else POLICE_FIELDS


def scoped(view: CaseView, found: Standing) -> CaseView:
    if found.masked:
        person = view.person.model_copy(update={"name": MASK, "identity_number": MASK})
        view = view.model_copy(update={"person": person})
    if found.relations & WHOLE_CASE:
        return view
    return view.model_copy(update={
        "needs": None, "network": [], "meeting": [], "plan": [], "belongings": None,
        "protection": None, "protection_waits_for_consent": False, "transfer": None,
        "consents": [c for c in view.consents if c.agency in POLICE_CONSENTS],
        "waits": [w for w in view.waits if w.kind != "consent"],
        "timeline": [e for e in view.timeline if e.kind in POLICE_ENTRIES]})
