"""Who is acting: the authenticated person as the case service knows them.

Built only from a verified OpenID Connect access token (`adapters.oidc.TokenVerifier`)
or, for workers, from the process's own identity: never from typed input. The
token's claims:

    sub                 -> subject (the provider's stable id)
    preferred_username  -> staff_id (what the journal records as the actor)
    name                -> name (shown in the console; never logged)
    utvag_org           -> organisation, e.g. "municipality:0180", "police:region-stockholm"
    utvag_roles         -> roles, a list of `Role` values valid for that organisation

Organisation codes, by kind:
    municipality:<4-digit municipality code>   coordinator, social_handler
    police:<region>                            police_contact, police_regional
    police:national                            grants_officer
    agency:<Agency value>                      agency_staff (kriminalvarden, arbetsformedlingen,
                                               health_care, sis)
    operations                                 operator
    audit                                      auditor
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from models.enums import Agency


class Role(StrEnum):
    COORDINATOR = "coordinator"
    SOCIAL_HANDLER = "social_handler"
    POLICE_CONTACT = "police_contact"
    POLICE_REGIONAL = "police_regional"
    GRANTS_OFFICER = "grants_officer"
    AGENCY_STAFF = "agency_staff"
    OPERATOR = "operator"
    AUDITOR = "auditor"


ORG_KINDS: dict[Role, str] = {
    Role.COORDINATOR: "municipality",
    Role.SOCIAL_HANDLER: "municipality",
    Role.POLICE_CONTACT: "police",
    Role.POLICE_REGIONAL: "police",
    Role.GRANTS_OFFICER: "police",
    Role.AGENCY_STAFF: "agency",
    Role.OPERATOR: "operations",
    Role.AUDITOR: "audit",
}

AGENCY_ORGS = frozenset({Agency.KRIMINALVARDEN, Agency.ARBETSFORMEDLINGEN,
                         Agency.HEALTH_CARE, Agency.SIS})


class PrincipalError(ValueError):
    """Claims that do not make a principal (a role not valid for the organisation...)."""


@dataclass(frozen=True)
class Principal:
    subject: str
    staff_id: str
    name: str
    organisation: str
    roles: frozenset[Role]

    @property
    def org_kind(self) -> str:
        return self.organisation.partition(":")[0]

    @property
    def org_code(self) -> str:
        return self.organisation.partition(":")[2]

    @property
    def municipality(self) -> str | None:
        return self.org_code if self.org_kind == "municipality" else None

    @property
    def agency(self) -> Agency | None:
        """The agency whose disclosures this person may see (police for police orgs)."""
        if self.org_kind == "police":
            return Agency.POLICE
        if self.org_kind == "agency":
            return Agency(self.org_code)
        return None

    def has(self, role: Role) -> bool:
        return role in self.roles

    @classmethod
    def from_claims(cls, claims: dict[str, object]) -> Principal:
        """A principal from verified claims; refuses inconsistent ones."""
        sub, org = claims.get("sub"), claims.get("utvag_org")
        staff = claims.get("preferred_username") or sub
        raw_roles = claims.get("utvag_roles")
        if not isinstance(sub, str) or not sub:
            raise PrincipalError("sub: missing")
        if not isinstance(org, str) or not org:
            raise PrincipalError("utvag_org: missing")
        if not isinstance(raw_roles, list) or not raw_roles:
            raise PrincipalError("utvag_roles: missing")
        try:
            roles = frozenset(Role(r) for r in raw_roles)
        except ValueError as exc:
            raise PrincipalError("utvag_roles: unknown role") from exc
        principal = cls(subject=sub, staff_id=str(staff), name=str(claims.get("name") or staff),
                        organisation=org, roles=roles)
        principal.check()
        return principal

    def check(self) -> None:
        kind, code = self.org_kind, self.org_code
        for role in self.roles:
            if ORG_KINDS[role] != kind:
                raise PrincipalError(f"utvag_roles: {role} is not a role of a {kind} organisation")
        if kind == "municipality" and not (len(code) == 4 and code.isdigit()):
            raise PrincipalError("utvag_org: a municipality is four digits")
        if kind == "agency" and code not in {a.value for a in AGENCY_ORGS}:
            raise PrincipalError("utvag_org: unknown agency")
        if kind == "police" and not code:
            raise PrincipalError("utvag_org: a police organisation names its region")
        if kind in {"operations", "audit"} and code:
            raise PrincipalError("utvag_org: takes no code")
        if Role.GRANTS_OFFICER in self.roles and code != "national":
            raise PrincipalError("utvag_roles: the grants officer is national")
