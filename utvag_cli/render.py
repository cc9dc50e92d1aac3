"""`utvag case show` as text: the lines of a `services.views.CaseView`, nothing else.

The view decides what is shown (never the destination: that is `utvag during
destination`, for social services only); this module only lays it out.
"""

from __future__ import annotations

from collections.abc import Iterator

from services.views import BelongingsView, CaseView

MARK = {True: "yes", False: "NO", None: "?"}


def case_lines(view: CaseView) -> Iterator[str]:
    yield from _head(view)
    yield from _during(view)
    yield from _timeline(view)


def _head(v: CaseView) -> Iterator[str]:
    yield (f"{v.case_number}  {v.phase} / {v.status}"
           + (f"  outcome: {v.outcome}" if v.outcome else "")
           + (f"  blocked: {v.blocked_reason}" if v.blocked_reason else ""))
    yield (f"  person:       {v.person.name}, {v.person.identity_number} "
           f"({v.person.protection_level})")
    yield (f"  placing:      {v.placing_municipality}   milieu: {v.milieu}   "
           f"custody: {v.custody_status}   referred by: {v.referring_agency}")
    yield (f"  opened:       {v.opened_at:%Y-%m-%d %H:%M}"
           + (f"   closed: {v.closed_at:%Y-%m-%d %H:%M}" if v.closed_at else ""))
    for a in v.criteria:
        yield f"  criterion {a.criterion:<24} {MARK[a.holds]:<4} {a.recorded_by}  {a.note}"
    for c in v.consents:
        yield f"  consent   {c.agency:<24} {c.state:<9} {c.at:%Y-%m-%d} {c.legal_basis}"
    if v.threat:
        yield (f"  threat:       {v.threat.level}, relocation required: "
               f"{v.threat.relocation_required}, exclusion zones: "
               f"{', '.join(v.threat.exclusion_zones)}, valid until {v.threat.valid_until}")


def _during(v: CaseView) -> Iterator[str]:
    if v.needs is not None:
        yield (f"  needs:        {', '.join(v.needs) or 'none'}"
               + (f"   network: {', '.join(v.network)}" if v.network else ""))
    for inv in v.meeting:
        signed = (f"signed off by {inv.signed_off_by}" if inv.signed_off_by
                  else "sign-off pending" if inv.external else "participant")
        units = f" ({', '.join(inv.units)})" if inv.units else ""
        yield f"  meeting   {inv.invitee + units:<40} {signed}  [rules {inv.routing_version}]"
    for item in v.plan:
        yield (f"  plan      {item.kind:<28} {item.start} - {item.planned_end}  "
               f"{item.cost_sek:>9} kr  {item.provider or 'the municipality'}")
    if v.grant:
        yield (f"  grant:        {v.grant.status}"
               + (f" {v.grant.amount_sek} kr" if v.grant.amount_sek is not None else "")
               + (f" ({v.grant.reason})" if v.grant.reason else ""))
    if v.relocation:
        move = v.relocation
        approval = ("" if not move.fast_path else
                    f", fast path, approved by {move.approved_by}" if move.approved_by else
                    f", fast path, approval due {move.approval_due:%Y-%m-%d %H:%M}")
        yield f"  relocation:   {move.housing_form}{approval} (destination: social services only)"
        yield _protection(v)
        if v.belongings:
            yield _belongings(v.belongings)
    if v.transfer:
        t = v.transfer
        answer = ("awaiting the receiving municipality" if not t.answered else
                  f"{'accepted' if t.accepted else 'declined'} by {t.answered_by}; "
                  f"costs: the {t.cost_payer} municipality from {t.cost_from}")
        yield f"  transfer:     {answer}"


def _protection(v: CaseView) -> str:
    asked = v.protection
    if asked is None:
        return ("  protection:   not requested"
                + (": no recorded consent for the Tax Agency (waits for it)"
                   if v.protection_waits_for_consent else ""))
    decided = (f"{asked.status} {asked.decided_at:%Y-%m-%d}" if asked.decided_at else
               "awaiting the Tax Agency's decision")
    return (f"  protection:   {asked.measure} requested from the Tax Agency: {decided}"
            + (f" ({asked.rejection_reason})" if asked.rejection_reason else ""))


def _belongings(move: BelongingsView) -> str:
    by = (f"{move.provider} to the placing social services, then social services"
          if move.provider else "social services")
    state = (f"delivered, confirmed by {move.delivered_by} {move.delivered_at:%Y-%m-%d}"
             if move.delivered_at else "ordered, awaiting social services' confirmation")
    return f"  belongings:   {state} (moved by {by})"


def _timeline(v: CaseView) -> Iterator[str]:
    yield "  timeline:"
    phase = None
    for e in v.timeline:
        if e.phase != phase:
            phase = e.phase
            yield f"   -- {phase} phase --"
        yield (f"    {e.at:%Y-%m-%d %H:%M:%S}  {e.phase:<7} {e.status:<9} {e.kind:<19} "
               f"{e.reason}  ({e.actor})")
    if v.register_disclosures:
        yield "  disclosures to the police registers (register sweeps):"
    for d in v.register_disclosures:
        yield (f"    {d.at:%Y-%m-%d %H:%M:%S}  {d.register_name:<17} {', '.join(d.fields)} to "
               f"{d.agency}: {d.reason}  ({d.actor}, run {d.sweep_run})")
