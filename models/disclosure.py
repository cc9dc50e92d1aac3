"""Data minimisation: which personal fields each agency request may carry, by purpose.

One table for every request Utväg sends: a request is built from the fields listed for
its (agency, kind) and nothing else, and the disclosure journaled names exactly those.
The Tax Agency protects the person's data by identity number alone; the others need the
name to find the person in their own records.
"""

from __future__ import annotations

import re

from models.waits import AgencySubject

# A request repeated for a later move or a later assessment ("..._r2") has the purpose
# of the first.
REPEAT = re.compile(r"_r[0-9]+$")

Fields = tuple[str, ...]
IDENTITY: Fields = ("identity_number", "name")
NUMBER_ONLY: Fields = ("identity_number",)

# By request kind; a kind missing here is refused (a new request must say what it needs).
FIELDS: dict[str, Fields] = {
    "threat_assessment": IDENTITY,
    "threat_reassessment": IDENTITY,
    "support_decision": IDENTITY,
    "meeting_invitation": IDENTITY,
    "grant_application": IDENTITY,
    "grant_completion": IDENTITY,
    "protected_personal_data": NUMBER_ONLY,
    "protection_upgrade": NUMBER_ONLY,
    "hand_over_release_measures": IDENTITY,
    "hand_over_lay_supervisor": IDENTITY,
    "hand_over_office_hand_over": IDENTITY,
}


class UnknownPurpose(KeyError):
    pass


def fields_for(subject: AgencySubject) -> Fields:
    """The personal fields a request for this purpose may carry."""
    try:
        return FIELDS[REPEAT.sub("", subject.kind)]
    except KeyError:
        raise UnknownPurpose(f"request kind: no fields defined for {subject.kind!r}") from None
