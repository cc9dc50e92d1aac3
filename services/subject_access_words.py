"""The case history in plain Swedish words for the person it is about: one sentence per
kind of journal entry, the agency or register named where the entry says which. Internal
codes never reach the person; a kind without a sentence here reads "Övrig händelse"."""

from __future__ import annotations

from typing import Any

from models.journal import Kind

AGENCIES = {
    "police": "Polisen", "social_services": "socialtjänsten",
    "kriminalvarden": "Kriminalvården", "arbetsformedlingen": "Arbetsförmedlingen",
    "health_care": "hälso- och sjukvården", "sis": "Statens institutionsstyrelse (SiS)",
    "police_grants": "Polisens bidragsfunktion", "tax_agency": "Skatteverket",
    "belastningsregistret": "belastningsregistret", "misstankeregistret": "misstankeregistret",
    "criminal_records": "belastningsregistret", "suspicions": "misstankeregistret",
}
FIELDS = {"identity_number": "personnummer", "name": "namn", "destination": "ny kommun",
          "address": "adress"}

SENTENCES: dict[str, str] = {
    Kind.OPENED: "Ärendet öppnades efter en hänvisning.",
    Kind.DECISION: "Ett villkor för att delta bedömdes.",
    Kind.CONSENT: "Ditt samtycke till att uppgifter lämnas till {agency} registrerades.",
    Kind.AGENCY_REQUEST: "En förfrågan skickades till {agency}.",
    Kind.AGENCY_ANSWER: "{agency} svarade.",
    Kind.DISCLOSURE: "Uppgifter om dig lämnades ut till {agency}.",
    Kind.DISCLOSURE_REFUSED: "Uppgifter lämnades inte ut till {agency} (samtycke saknades).",
    Kind.WAIT_OPENED: "Ärendet väntade på ett svar eller beslut.",
    Kind.WAIT_ANSWERED: "Ett svar eller beslut som ärendet väntade på kom in.",
    Kind.WAIT_OVERDUE: "Ett svar dröjde längre än utsatt tid.",
    Kind.BLOCKED: "Ärendet stannade upp i väntan på åtgärd.",
    Kind.UNBLOCKED: "Ärendet kunde gå vidare igen.",
    Kind.ADMITTED: "Du togs emot i programmet.",
    Kind.CLOSED: "Ärendet avslutades.",
    Kind.NOTE: "En anteckning gjordes i ärendet.",
    Kind.READ: "Uppgifterna i ärendet lästes av en handläggare.",
    Kind.RELAPSE_FLAGGED: "En uppgift i ett register tydde på återfall.",
    Kind.RELAPSE_NOTIFIED: "Socialtjänsten underrättades om uppgiften om återfall.",
    Kind.RELAPSE_ASSESSED: "Socialtjänsten bedömde uppgiften om återfall.",
    Kind.NEEDS_ASSESSED: "Dina behov bedömdes inför samverkansmötet.",
    Kind.ROUTED: "Det bestämdes vilka som skulle bjudas in till samverkansmötet.",
    Kind.MEETING_DECIDED: "Samverkansmötet hölls.",
    Kind.INTERVENTION_ADDED: "En insats lades till i din handlingsplan.",
    Kind.INTERVENTION_REFUSED: "En föreslagen insats lades inte till.",
    Kind.PLAN_APPROVED: "Handlingsplanen godkändes.",
    Kind.GRANT_STATEMENT: "Polisen yttrade sig om statsbidraget.",
    Kind.GRANT_COMPLETION_REQUESTED: "Ansökan om statsbidrag kompletterades.",
    Kind.GRANT_DECIDED: "Beslut fattades om statsbidrag.",
    Kind.RELOCATION_DECIDED: "Beslut fattades om flytt.",
    Kind.RELOCATION_APPROVED: "Flytten godkändes.",
    Kind.DESTINATION_READ: "Uppgiften om din nya kommun lästes av en behörig handläggare.",
    Kind.DESTINATION_DENIED: "Någon utan behörighet nekades att läsa din nya kommun.",
    Kind.PROTECTION_DECIDED: "Beslut fattades om skydd av dina personuppgifter.",
    Kind.BELONGINGS_ORDERED: "Flytt av dina tillhörigheter beställdes.",
    Kind.BELONGINGS_DELIVERED: "Dina tillhörigheter kom fram.",
    Kind.REOPENED: "Ärendet öppnades igen.",
    Kind.TRANSFER_OFFERED: "Ansvaret för ärendet erbjöds din nya kommun.",
    Kind.TRANSFER_ANSWERED: "Din nya kommun svarade på erbjudandet att ta över ansvaret.",
    Kind.ESTABLISHED: "Du bedömdes vara etablerad på din nya ort.",
    Kind.INDICATORS: "Uppföljning gjordes av hur det går för dig.",
    Kind.CORRECTED: "Dina uppgifter rättades.",
    Kind.SUBJECT_ACCESS: "Du begärde ett registerutdrag och det togs fram.",
    Kind.CULLED: "Uppgifterna gallrades.",
    Kind.LEGAL_HOLD_SET: "Ärendet spärrades mot gallring (det sparas så länge spärren gäller).",
    Kind.LEGAL_HOLD_LIFTED: "Spärren mot gallring hävdes.",
}


def agency_name(code: str) -> str:
    name = code.removeprefix("register:")
    return AGENCIES.get(name, name)


def fields_words(fields: list[str] | tuple[str, ...]) -> str:
    return ", ".join(FIELDS.get(f, f) for f in fields)


def sentence(kind: str, data: dict[str, Any]) -> str:
    """The entry in words; the agency named when the entry has one."""
    text = SENTENCES.get(kind, "Övrig händelse i ärendet.")
    agency = data.get("agency")
    return text.format(agency=agency_name(str(agency)) if agency else "en myndighet")
