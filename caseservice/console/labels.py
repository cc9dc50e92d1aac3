"""Swedish words for the values the service speaks in English (phases, statuses, waits,
criteria, agencies...), and the navigation each role gets."""

from __future__ import annotations

import re

from models.disclosure import REPEAT
from models.principal import Principal, Role

SV: dict[str, str] = {
    # phases and statuses
    "before": "Före", "during": "Under", "after": "Efter",
    "open": "Öppet", "waiting": "Väntar", "blocked": "Blockerat", "admitted": "Antaget",
    "closed": "Avslutat",
    # waits
    "coordinator_answer": "Behörighetskriterium", "agency_answer": "Svar från myndighet",
    "consent": "Samtycke", "relapse_assessment": "Bedömning av återfall",
    "needs_assessment": "Behovsbedömning", "action_plan": "Handlingsplan",
    "grant_statement": "Polisens yttrande", "grant_completion": "Komplettering av ansökan",
    "relocation": "Beslut om flytt", "relocation_approval": "Godkännande av snabbflytt",
    "transfer": "Överflyttning av ansvar", "belongings": "Flytt av tillhörigheter",
    "establishment": "Etablering på nya orten", "transfer_offer": "Nytt erbjudande om "
    "överflyttning",
    "closure_confirmation": "Bekräftelse av avslut", "provider_follow_up": "Utförarens uppföljning",
    "guardian_consent": "Vårdnadshavarnas samtycke",
    # guardians (roles, never names)
    "mother": "Mor", "father": "Far", "other_guardian": "Annan vårdnadshavare",
    "appointed_guardian": "Särskilt förordnad vårdnadshavare",
    "protected_housing": "Skyddat boende",
    # criteria
    "meets_definition": "Uppfyller definitionen av avhoppare",
    "motivated": "Motiverad att lämna",
    "consents_to_exchange": "Samtycker till informationsutbyte",
    "signed_conditions": "Har undertecknat villkoren",
    "not_witness": "Är inte vittne (annars vittnesskydd)",
    "social_services_decided": "Socialtjänsten har fattat beslut",
    # agencies
    "police": "Polisen", "social_services": "Socialtjänsten",
    "kriminalvarden": "Kriminalvården", "arbetsformedlingen": "Arbetsförmedlingen",
    "sis": "Statens institutionsstyrelse", "health_care": "Hälso- och sjukvården",
    "tax_agency": "Skatteverket", "other": "Annan",
    # needs and network
    "financial_support": "Ekonomiskt stöd", "housing": "Boende",
    "substance_abuse": "Missbruk", "debts": "Skulder", "mental_health": "Psykisk hälsa",
    "daily_routines": "Vardagsrutiner", "occupation": "Sysselsättning",
    "family": "Familj", "mentor": "Mentor", "partner": "Partner", "friend": "Vän",
    # interventions
    "contact_person": "Samtalsstöd och kontaktperson",
    "substance_abuse_treatment": "Missbruksbehandling",
    "criminal_thinking_programme": "Program mot kriminellt tänkande",
    "psychological_treatment": "Psykologisk utredning och behandling",
    "individual_coaching": "Individuell coachning", "long_term_housing": "Långsiktigt boende",
    "new_social_networks": "Nya sociala nätverk", "debt_restructuring": "Skuldsanering",
    "trustee": "God man", "protected_personal_data": "Skyddade personuppgifter",
    "moving_belongings": "Flytt av tillhörigheter", "tattoo_removal": "Borttagning av tatuering",
    # agency requests
    "pending": "Ej skickad", "sent": "Skickad", "answered": "Besvarad", "failed": "Misslyckad",
    # threat levels, consent states
    "low": "Låg", "medium": "Medel", "high": "Hög", "critical": "Kritisk",
    "given": "Lämnat", "withdrawn": "Återkallat",
    # referral
    "gang": "Gängkriminalitet", "violent_extremism": "Våldsbejakande extremism",
    "honour": "Hedersrelaterat", "in_prison": "I fängelse", "on_probation": "Under frivård",
    "none": "Ingen", "sekretessmarkering": "Sekretessmarkering",
    "skyddad_folkbokforing": "Skyddad folkbokföring",
    # outcomes, verdicts, decisions
    "referred_to_witness_protection": "Hänvisad till vittnesskydd",
    "not_eligible": "Uppfyller inte kriterierna", "support_refused": "Tackade nej till stöd",
    "completed": "Genomfört", "dropped_out": "Avbrutet", "relapsed": "Återfall",
    "moved_abroad": "Flyttat utomlands", "deceased": "Avliden",
    "satisfactory": "Tillfredsställande", "concerns": "Med anmärkningar",
    "unsatisfactory": "Inte tillfredsställande",
    "continue": "Fortsätt stödet", "adjust_plan": "Justera planen",
    "end_support": "Avsluta stödet",
    # roles a coordinator assigns to a case
    "coordinator": "Samordnare", "social_handler": "Handläggare",
    "police_contact": "Polisens kontaktperson", "police_regional": "Regional polis",
    # relations and outcomes in the access log
    "placing": "Placerande kommun", "receiving": "Mottagande kommun",
    "destination": "Destinationskommun", "agency": "Myndighet", "break_glass": "Nödåtkomst",
    "allowed": "Tillåten", "denied": "Nekad",
}


def sv(value: object) -> str:
    text = str(value) if value is not None else ""
    return SV.get(text, text.replace("_", " "))


# What a disclosure was for, by the request's kind (models/disclosure.py's table).
PURPOSES: dict[str, str] = {
    "threat_assessment": "hotbedömningen", "threat_reassessment": "en förnyad hotbedömning",
    "support_decision": "beslutet om stöd", "grant_application": "ansökan om statsbidrag",
    "grant_completion": "kompletteringen av ansökan om statsbidrag",
    "protected_personal_data": "skydd i folkbokföringen",
    "protection_upgrade": "ett starkare skydd i folkbokföringen",
    "hand_over_release_measures": "överlämningen av frigivning och övergång",
    "hand_over_lay_supervisor": "överlämningen av övervakaren",
    "hand_over_office_hand_over": "överlämningen till det nya kontoret",
    "meeting_invitation": "samverkansmötet", "action_plan": "den överenskomna handlingsplanen",
}
FIELDS = {"identity_number": "personnummer", "name": "namn"}
_DISCLOSURE = re.compile(r"(?P<fields>[\w ]+?) disclosed to (?P<agency>\w+) for (?P<kind>\w+)")


def disclosure(reason: str) -> str:
    """A disclosure's journal line in Swedish: what went to which agency, for what
    ("Personnummer och namn till Polisen för hotbedömningen"); as it is if not one."""
    found = _DISCLOSURE.match(reason)
    if found is None:
        return reason
    fields = [FIELDS.get(f, sv(f)) for f in found["fields"].split(" and ")]
    what = " och ".join(fields)
    return (f"{what[:1].upper()}{what[1:]} till {sv(found['agency'])} för "
            f"{purpose(found['kind'], capital=False)}")


def purpose(kind: str, *, capital: bool = True) -> str:
    """What an agency request is for, in Swedish ("Hotbedömningen")."""
    kind = REPEAT.sub("", kind)
    kind = "action_plan" if kind.startswith("action_plan") else kind
    said = PURPOSES.get(kind, sv(kind))
    return said[:1].upper() + said[1:] if capital else said


def nav_for(principal: Principal) -> list[tuple[str, str]]:
    """(path under /console, label) for what this person's roles can use."""
    roles = principal.roles
    items: list[tuple[str, str]] = []
    social = {Role.COORDINATOR, Role.SOCIAL_HANDLER}
    if roles & (social | {Role.POLICE_CONTACT, Role.POLICE_REGIONAL, Role.AGENCY_STAFF}):
        items.append(("/", "Mina ärenden"))
    if roles & social:
        items += [("/referral", "Ny anmälan"), ("/providers", "Utförare")]
    if roles & (social | {Role.POLICE_CONTACT, Role.POLICE_REGIONAL}):
        items.append(("/break-glass", "Nödåtkomst"))
    if Role.GRANTS_OFFICER in roles:
        items.append(("/grants", "Statsbidrag"))
    if roles & {Role.COORDINATOR, Role.GRANTS_OFFICER}:
        items.append(("/followup", "Uppföljning"))
    if Role.AUDITOR in roles:
        items.append(("/audit", "Åtkomstlogg"))
    return items
