"""Writes `grants_2020_2022.csv`: the state grant's applications 2020-2022, built to
reproduce every figure the police published (the 2022 account, Dnr A077.218/2023, and
DOMAIN.md's figures table). Run it again only to change the data set:

    .venv/bin/python tests/data/make_grant_history.py

Published, and therefore exact here: 2020: 12 granted individual-case applications
from 10 municipalities, 5 130 000 kr; 2021: 28 granted, 12 000 000 kr; 2022: 124
handled, 113 granted from 28 municipalities in Skåne, Stockholm, Uppsala, Värmland,
Västra Götaland and Örebro counties, 11 rejected (criteria not met, incomplete, not
completed when asked), 58 053 534 kr to municipalities, SiS 905 000 kr, Socialstyrelsen
291 000 kr, 59 249 534 kr in all, no direct operational support.

Not published, and therefore invented (deterministically): which municipalities in 2020
and 2021 (2021 has 14 here), how the 113 split over the 28 municipalities, each
application's amount and uses, the split of the 11 over the three reasons (5/4/2), and
every date (2022's first half stays under the 22 500 000 kr in force before 30 June).
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

OUT = Path(__file__).with_name("grants_2020_2022.csv")
COLUMNS = ("reference", "year", "kind", "applicant_kind", "applicant", "municipality_code",
           "received_on", "outcome", "amount_sek", "rejection_reason", "decided_on",
           "decided_by", "paid_sek", "paid_on", "uses", "purpose")
USES = ("criminal_thinking_programme", "substance_abuse_treatment", "individual_coaching",
        "psychological_treatment", "occupation", "new_social_networks", "long_term_housing",
        "contact_person")
# 28 municipalities in six counties, with their granted applications in 2022 (113).
GRANTED_2022 = {
    "0180": 20, "0181": 6, "0127": 5, "0126": 3, "0123": 3, "0136": 2, "0184": 2,
    "0183": 1, "0182": 1,  # Stockholms län
    "0380": 9, "0381": 1,  # Uppsala län
    "1280": 12, "1283": 5, "1282": 2, "1281": 2, "1287": 1, "1290": 1, "1285": 1,  # Skåne
    "1480": 14, "1490": 4, "1488": 2, "1485": 2, "1481": 1, "1496": 1,  # Västra Götaland
    "1780": 3, "1784": 2,  # Värmlands län
    "1880": 6, "1883": 1,  # Örebro län
}
REJECTED_2022 = ["criteria_not_met"] * 5 + ["incomplete"] * 4 + ["not_completed_when_asked"] * 2
GRANTED_2020 = {"0180": 2, "1480": 2, "1280": 1, "0380": 1, "1880": 1, "0181": 1, "0127": 1,
                "1283": 1, "1490": 1, "1780": 1}
GRANTED_2021 = {"0180": 5, "1480": 4, "1280": 3, "0380": 2, "1880": 2, "0181": 2, "0127": 2,
                "1283": 1, "1490": 1, "1780": 1, "0126": 2, "1488": 1, "1282": 1, "0123": 1}


def _amounts(rng: random.Random, n: int, total: int, *, step: int) -> list[int]:
    """n amounts (multiples of `step` but the last) that add up to `total`."""
    raw = [rng.uniform(0.4, 1.6) for _ in range(n)]
    amounts = [max(step, round(total * r / sum(raw) / step) * step) for r in raw[:-1]]
    amounts.append(total - sum(amounts))
    assert amounts[-1] > 0
    return amounts


def _uses(rng: random.Random, amount: int) -> str:
    kinds = rng.sample(USES, rng.randint(1, 3))
    parts = [amount * 6 // 10, amount * 3 // 10][: len(kinds) - 1]
    parts.append(amount - sum(parts))
    return "|".join(f"{k}={a}" for k, a in zip(kinds, parts, strict=True))


def _day(rng: random.Random, year: int, first: int, last: int) -> date:
    start = date(year, first, 1)
    end = date(year, last + 1, 1) - timedelta(days=1) if last < 12 else date(year, 12, 20)
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _individual(rng: random.Random, year: int, granted: dict[str, int], total: int,
                *, step: int, early_share: float) -> list[dict[str, str]]:
    codes = [c for c, n in granted.items() for _ in range(n)]
    rng.shuffle(codes)
    rows = []
    for i, (code, amount) in enumerate(zip(codes, _amounts(rng, len(codes), total, step=step),
                                           strict=True), start=1):
        decided = _day(rng, year, 2, 6) if i <= early_share * len(codes) else \
            _day(rng, year, 7, 12)
        rows.append({"reference": f"A{year}-{i:03d}", "year": str(year),
                     "kind": "individual_case", "applicant_kind": "municipality",
                     "municipality_code": code,
                     "received_on": (decided - timedelta(days=rng.randint(10, 40))).isoformat(),
                     "outcome": "granted", "amount_sek": str(amount),
                     "decided_on": decided.isoformat(),
                     "decided_by": rng.choice(["noa_head", "noa_delegate"]),
                     "paid_sek": str(amount),
                     "paid_on": min(decided + timedelta(days=14), date(year, 12, 30)).isoformat(),
                     "uses": _uses(rng, amount)})
    return rows


def rows() -> list[dict[str, str]]:
    rng = random.Random(20230502)
    out = _individual(rng, 2020, GRANTED_2020, 5_130_000, step=10_000, early_share=0.5)
    out += _individual(rng, 2021, GRANTED_2021, 12_000_000, step=5_000, early_share=0.5)
    granted = _individual(rng, 2022, GRANTED_2022, 58_053_534, step=1, early_share=0.3)
    early = sum(int(r["amount_sek"]) for r in granted if r["decided_on"] < "2022-06-30")
    assert early <= 22_500_000, early
    out += granted
    codes = list(GRANTED_2022)
    for i, reason in enumerate(REJECTED_2022, start=len(granted) + 1):
        decided = _day(rng, 2022, 3, 12)
        out.append({"reference": f"A2022-{i:03d}", "year": "2022", "kind": "individual_case",
                    "applicant_kind": "municipality", "municipality_code": rng.choice(codes),
                    "received_on": (decided - timedelta(days=30)).isoformat(),
                    "outcome": "rejected", "rejection_reason": reason,
                    "decided_on": decided.isoformat(), "decided_by": "noa_delegate"})
    out.append({"reference": "A2022-SIS", "year": "2022", "kind": "agency_development",
                "applicant_kind": "agency", "applicant": "Statens institutionsstyrelse",
                "received_on": "2022-08-15", "outcome": "granted", "amount_sek": "905000",
                "decided_on": "2022-09-14", "decided_by": "noa_head", "paid_sek": "905000",
                "paid_on": "2022-09-30",
                "purpose": "Utvecklingsarbete med avhopparverksamhet för barn"})
    out.append({"reference": "A2022-SOS", "year": "2022", "kind": "agency_development",
                "applicant_kind": "agency", "applicant": "Socialstyrelsen",
                "received_on": "2022-09-01", "outcome": "granted", "amount_sek": "291000",
                "decided_on": "2022-10-05", "decided_by": "noa_head", "paid_sek": "291000",
                "paid_on": "2022-10-20",
                "purpose": "Inköp av tjänst för att kartlägga och synliggöra processen för "
                           "en avhoppare"})
    return out


def main() -> None:
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows():
            writer.writerow({c: row.get(c, "") for c in COLUMNS})


if __name__ == "__main__":
    main()
