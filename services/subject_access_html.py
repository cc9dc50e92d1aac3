"""The subject-access export as a readable Swedish HTML document (GDPR art. 15): the same
content as the JSON, every value escaped. Self-contained (no scripts, no external
resources), so it can be printed or saved as PDF from any browser."""

from __future__ import annotations

from datetime import datetime
from html import escape

from services.subject_access import SubjectAccessExport
from services.subject_access_words import agency_name, fields_words

SEX = {"male": "man", "female": "kvinna"}
HOLDS = {True: "uppfyllt", False: "inte uppfyllt", None: "inte bedömt"}
STYLE = ("body{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.45}"
         "table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;"
         "padding:.25em .5em;text-align:left;vertical-align:top}")


def _t(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def _table(headers: list[str], rows: list[list[str]], empty: str) -> str:
    if not rows:
        return f"<p>{escape(empty)}</p>"
    head = "".join(f"<th scope='col'>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(export: SubjectAccessExport) -> str:
    p = export.person
    parts = [
        "<!doctype html><html lang='sv'><head><meta charset='utf-8'>",
        f"<title>Registerutdrag</title><style>{STYLE}</style></head><body>",
        "<h1>Registerutdrag enligt artikel 15 i dataskyddsförordningen</h1>",
        f"<p>Framtaget {_t(export.generated_at)} på begäran mottagen "
        f"{export.request_received_on.isoformat()}.</p>",
        "<h2>Uppgifter om dig</h2>",
        _table(["Uppgift", "Värde"], [
            ["Namn", p.name], ["Personnummer", p.identity_number],
            ["Födelsedatum", p.birth_date.isoformat() if p.birth_date else "okänt"],
            ["Kön", SEX.get(p.sex, p.sex)], ["Skyddsnivå", p.protection_level]], ""),
    ]
    for case in export.cases:
        parts += [
            f"<h2>Ärende {escape(case.case_number)}</h2>",
            f"<p>Öppnat {_t(case.opened_at)}"
            + (f", avslutat {_t(case.closed_at)}" if case.closed_at else "") + ".</p>",
            "<h3>Villkor för att delta</h3>",
            _table(["Villkor", "Bedömning", "Anteckning"],
                   [[a.criterion, HOLDS[a.holds], a.note] for a in case.criteria],
                   "Inga villkor bedömda."),
            "<h3>Samtycken</h3>",
            _table(["Mottagare", "Samtycke", "Datum", "Rättslig grund"],
                   [[agency_name(c.agency), "lämnat" if c.state == "given" else "återkallat",
                     _t(c.at), c.legal_basis] for c in case.consents], "Inga samtycken."),
        ]
        if case.relocation is not None:
            r = case.relocation
            parts += ["<h3>Flytt</h3>", _table(["Uppgift", "Värde"], [
                ["Ny kommun", r.destination], ["Adress", r.address],
                ["Boendeform", r.housing_form], ["Beslutad", _t(r.decided_at)]], "")]
        parts += ["<h3>Vad som hänt i ärendet</h3>",
                  _table(["När", "Vad"], [[_t(h.at), h.text] for h in case.history],
                         "Inga händelser.")]
    parts += [
        "<h2>Utlämnade uppgifter</h2>",
        _table(["När", "Till", "Vilka uppgifter", "Rättslig grund", "Ärende"],
               [[_t(d.at), d.recipient_name, d.fields_words, d.legal_basis, d.case_number]
                for d in export.disclosures], "Inga uppgifter har lämnats ut."),
        "<h2>Slagningar i register</h2>",
        _table(["När", "Register", "Vilka uppgifter", "Grund", "Ärende"],
               [[_t(d.at), d.recipient_name, d.fields_words, d.legal_basis, d.case_number]
                for d in export.register_lookups], "Inga slagningar."),
        "<h2>Vilka som har tagit del av uppgifterna</h2>",
        _table(["När", "Organisation", "Vad", "Uppgifter", "Utfall", "Ärende"],
               [[_t(r.at), r.organisation, r.purpose, fields_words(r.fields),
                 {"allowed": "tillåtet", "denied": "nekat",
                  "break_glass": "nödåtkomst"}.get(r.outcome, r.outcome), r.case_number]
                for r in export.reads], "Ingen åtkomst loggad."),
    ]
    if not export.destination_included:
        parts.append("<p>Uppgifter om ny kommun och adress ingår inte i detta utdrag.</p>")
    parts.append("</body></html>")
    return "".join(parts)
