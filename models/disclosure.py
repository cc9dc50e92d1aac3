"""Data minimisation: which personal fields each agency request may carry, by agency and
purpose, and what changes for a person with protected personal data. Pure: no I/O.

One table, (agency, request kind) -> `Purpose`, for every request Utväg sends: a request
is built from the fields the table gives and nothing else, and the disclosure journaled
names exactly those. `needs` are the fields the purpose cannot do without; `matching`
are sent only to help the agency find the person in its own records. For a protected
person (sekretessmarkering, skyddad folkbokföring) the identity number suffices to find
them, so `matching` fields are never sent: the name does not travel. A request with no
row is refused (a new request must say what it needs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.waits import AgencySubject

# A request repeated for a later move or a later assessment ("..._r2") has the purpose
# of the first.
REPEAT = re.compile(r"_r[0-9]+$")

Fields = tuple[str, ...]
PROTECTED_LEVELS = frozenset({"sekretessmarkering", "skyddad_folkbokforing"})


@dataclass(frozen=True)
class Purpose:
    needs: Fields
    matching: Fields = ()
    why: str = ""


NUMBER = ("identity_number",)
NAME = ("name",)
INVITED = ("kriminalvarden", "arbetsformedlingen", "health_care", "sis")

TABLE: dict[tuple[str, str], Purpose] = {
    ("police", "threat_assessment"): Purpose(NUMBER, NAME, "the threat assessment"),
    ("police", "threat_reassessment"): Purpose(NUMBER, NAME, "renewing the threat "
                                               "assessment"),
    ("social_services", "support_decision"): Purpose(NUMBER, NAME,
                                                     "the decision on support"),
    ("police", "grant_application"): Purpose(NUMBER, NAME, "the state grant, per person"),
    ("police", "grant_completion"): Purpose(NUMBER, NAME, "completing the application"),
    ("tax_agency", "protected_personal_data"): Purpose(NUMBER, (), "protection in the "
                                                       "population register"),
    ("tax_agency", "protection_upgrade"): Purpose(NUMBER, (), "a stronger protection "
                                                  "measure"),
    ("kriminalvarden", "hand_over_release_measures"): Purpose(NUMBER, NAME,
                                                              "release and transition"),
    ("kriminalvarden", "hand_over_lay_supervisor"): Purpose(NUMBER, NAME, "lay supervisor"),
    ("arbetsformedlingen", "hand_over_office_hand_over"): Purpose(NUMBER, NAME,
                                                                  "the new office"),
    **{(agency, "meeting_invitation"): Purpose(NUMBER, NAME, "the collaboration meeting")
       for agency in INVITED},
    # The approved plan sent to a participating agency (docs/plan-and-people.md): the
    # case number identifies it to an agency that took part; the number to file it.
    **{(agency, "action_plan"): Purpose(NUMBER, (), "the agreed action plan")
       for agency in INVITED},
}


class UnknownPurpose(KeyError):
    pass


def purpose_of(subject: AgencySubject) -> Purpose:
    kind = subject.kind.split("_v", 1)[0] if subject.kind.startswith("action_plan") \
        else subject.kind
    try:
        return TABLE[(subject.agency, REPEAT.sub("", kind))]
    except KeyError:
        raise UnknownPurpose(f"request kind: no fields defined for {subject.agency} "
                             f"{subject.kind!r}") from None


def is_protected(protection_level: str) -> bool:
    return protection_level in PROTECTED_LEVELS


def fields_for(subject: AgencySubject, *, protected: bool = False) -> Fields:
    """The personal fields a request for this purpose may carry for this person."""
    purpose = purpose_of(subject)
    return purpose.needs if protected else (*purpose.needs, *purpose.matching)
