"""The role x action matrix, generated from the policy table:
`python -m services.access.matrix` writes docs/access-matrix.md (a test checks that the
committed file is current)."""

from __future__ import annotations

import sys
from pathlib import Path

from models.principal import Role
from services.access.policy import POLICY, POSSIBLE, Relation

DOC = Path(__file__).resolve().parents[2] / "docs" / "access-matrix.md"
RELATION_WORDS = {
    Relation.PLACING: "placing municipality's social services",
    Relation.RECEIVING: "receiving municipality's social services, from the day it "
                        "accepted the transfer",
    Relation.DESTINATION: "the destination municipality's social services (before or "
                          "after accepting)",
    Relation.POLICE: "police staff assigned to the case",
    Relation.AGENCY: "an agency the case disclosed to (with consent)",
    Relation.BREAK_GLASS: "an active break-glass opening (reason given, time-limited, "
                          "reviewed)",
    Relation.ANY_CASE: "any existing case (how break-glass gets in)",
}
SHORT = {Relation.PLACING: "P", Relation.RECEIVING: "R", Relation.DESTINATION: "D",
         Relation.POLICE: "A", Relation.AGENCY: "G", Relation.BREAK_GLASS: "B",
         Relation.ANY_CASE: "any"}


def render() -> str:
    roles = list(Role)
    lines = [
        "# Who may do what: the role x action matrix",
        "",
        "Generated from `services/access/policy.py` by `python -m services.access.matrix`;",
        "do not edit by hand (a test checks that this file is current). The case service",
        "answers every refused or out-of-scope request with 404, as if the case did not",
        "exist, and journals the attempt in `access_log`; every allowed access is journaled",
        "there too, in its own committed transaction, before anything is read.",
        "",
        "A cell lists the relations to the case under which the role may take the action",
        "(`yes`: an action on no case; empty: never).",
        "",
    ]
    lines += [f"- **{SHORT[r]}**: {RELATION_WORDS[r]}" for r in Relation]
    lines += ["", "| action | what | " + " | ".join(r.value for r in roles) + " |",
              "|---|---|" + "---|" * len(roles)]
    for action, rule in POLICY.items():
        cells = []
        for role in roles:
            if role not in rule.roles:
                cells.append("")
            elif rule.relations is None:
                cells.append("yes")
            else:
                usable = rule.relations & (POSSIBLE[role] | {Relation.ANY_CASE})
                cells.append(" ".join(SHORT[r] for r in Relation if r in usable))
        lines.append(f"| `{action.value}` | {rule.what}"
                     f"{' (personal data, journaled as a read)' if rule.personal else ''} | "
                     + " | ".join(cells) + " |")
    lines += [
        "",
        "Beyond the table:",
        "",
        "- The destination and address are read by social services (coordinator, social",
        "  handler) of the placing or the receiving municipality only, by role and",
        "  organisation from the token; break-glass never opens them.",
        "- A protected identity (`sekretessmarkering`, `skyddad_folkbokforing`): name and",
        "  identity number are masked in every view unless the viewer is a handler",
        "  (coordinator or social handler) assigned to the case; the coordinator who opens",
        "  a case is assigned to it.",
        "- The case view is cut to the viewer's part (`services/access/scoped.py`): the",
        "  police contacts of a case see the eligibility, the threat assessment, the grant,",
        "  the relocation's housing form and the register checks, not the needs, the",
        "  meeting, the plan or the consents to other agencies.",
        "- Operators get counts and case numbers, never personal data or a blocked reason.",
        "- Intake of a person with an open case in another municipality answers",
        "  `accepted_for_review` without a case number; the existing case's coordinators are",
        "  told in its journal and the probe is journaled as denied.",
        "- Underneath, the service runs as the database role `utvag_app` under row-level",
        "  security (docs/database-roles.md): a query only ever returns the principal's",
        "  scope. Of a case outside it the service learns only the id, to journal the",
        "  refusal with it (and for break-glass).",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    DOC.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {DOC}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
