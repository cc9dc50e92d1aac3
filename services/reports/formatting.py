"""Swedish presentation: whole kronor grouped by thousands as the police write them
(58 053 534, with a narrow no-break space so a figure never breaks over two lines),
dates in words, and the Swedish names of every code a report shows. Pure."""

from __future__ import annotations

from datetime import date

NARROW_NBSP = "\u202f"

MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
          "september", "oktober", "november", "december")


def kronor(value: int) -> str:
    """58053534 -> '58 053 534' (narrow no-break spaces); negative with a real minus."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("kronor: whole kronor (an integer)")
    digits = f"{abs(value):,}".replace(",", NARROW_NBSP)
    return ("\u2212" if value < 0 else "") + digits


def percent(part: int, whole: int) -> str:
    """Whole per cent, Swedish style: '47 %' (no-break space before the sign)."""
    return f"{round(100 * part / whole)}\u00a0%"


def swedish_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def millions(value: int) -> str:
    """72500000 -> '72,5 miljoner kronor' (the police's summary style)."""
    text = f"{value / 1_000_000:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text} miljoner kronor"


REASONS = {
    "criteria_not_met": "Alla kriterier är inte uppfyllda",
    "incomplete": "Ansökan är inte fullständig",
    "not_completed_when_asked": "Ansökan har inte kompletterats vid efterfrågan",
    "appropriation_exhausted": "Anslaget räckte inte",
}
APPROPRIATION_KINDS = {"letter_of_appropriation": "Regleringsbrev",
                       "amending_decision": "Ändringsbeslut"}
GRANT_KINDS = {"individual_case": "Individärende", "agency_development":
               "Myndighetsgemensamt utvecklingsarbete",
               "direct_operational": "Direkt verksamhetsstöd"}
USES = {
    "contact_person": "Samtalsstöd och kontaktperson",
    "financial_support": "Ekonomiskt bistånd",
    "substance_abuse_treatment": "Missbruksbehandling",
    "criminal_thinking_programme": "Behandlingsprogram mot kriminella tankemönster",
    "psychological_treatment": "Psykologiska utredningar och behandlingar",
    "individual_coaching": "Individuell coachning",
    "occupation": "Sysselsättning",
    "long_term_housing": "Boende",
    "new_social_networks": "Stöd för att bilda nya nätverk",
    "debt_restructuring": "Skuldsanering",
    "trustee": "God man",
    "protected_personal_data": "Skyddade personuppgifter",
    "moving_belongings": "Flytt av bohag",
    "tattoo_removal": "Borttagning av gängtatueringar",
    "other": "Övrigt",
}
PHASES = {"before": "Före", "during": "Under", "after": "Efter"}
STATUSES = {"open": "Öppet", "waiting": "Väntar", "blocked": "Stoppat", "admitted": "Antaget",
            "closed": "Avslutat"}
MILIEUS = {"gang": "Gängkriminalitet", "violent_extremism": "Våldsbejakande extremism",
           "honour": "Hedersrelaterad miljö", "other": "Annan miljö"}
SEXES = {"male": "Män", "female": "Kvinnor"}
AGENCIES = {"police": "Polismyndigheten", "social_services": "Socialtjänsten",
            "kriminalvarden": "Kriminalvården", "arbetsformedlingen": "Arbetsförmedlingen",
            "sis": "Statens institutionsstyrelse", "health_care": "Hälso- och sjukvården",
            "tax_agency": "Skatteverket", "other": "Annan"}
OUTCOMES = {
    "referred_to_witness_protection": "Hänvisad till vittnesskydd",
    "not_eligible": "Uppfyller inte förutsättningarna",
    "support_refused": "Tackade nej till stöd", "completed": "Genomfört",
    "dropped_out": "Avbrutit", "relapsed": "Återfall", "moved_abroad": "Flyttat utomlands",
    "deceased": "Avliden", "other": "Annat",
}
WAITS = {
    "coordinator_answer": "Samordnarens svar", "agency_answer": "Myndighets svar",
    "consent": "Samtycke", "relapse_assessment": "Bedömning av återfall",
    "needs_assessment": "Behovsbedömning", "action_plan": "Handlingsplan",
    "grant_statement": "Utlåtande om statliga medel",
    "grant_completion": "Komplettering av ansökan", "relocation": "Beslut om flytt",
    "relocation_approval": "Godkännande av flytt", "transfer": "Överflyttning av ärendet",
    "belongings": "Flytt av bohag",
}
DECISIONS = {"continue": "Fortsatt stöd", "adjust_plan": "Ändrad plan",
             "end_support": "Avslutat stöd", "": "Ännu inte bedömt"}


def name_of(names: dict[str, str], code: str) -> str:
    """The Swedish name, or the code itself for one this version does not know yet."""
    return names.get(code, code)
