"""Reports on the state grant and on the cases, and the grants officer's records.

Prefect-free use cases. The builders and the grants officer's records take a `Session`
(a transaction of `Runtime.uow()`), so that several can share one; the entry points of
the CLI and the yearly flow take the `Runtime` itself (`publish`,
`grant_import.import_grants`):

- `budget`: the dated appropriation and the year's ledger (what a grant is checked
  against; `budget_for` is what the case flow calls instead of a constant);
- `records`: applications that do not come from a case, decisions, uses and payouts;
- `grant_import`: earlier years' applications from CSV;
- `account`: the police's annual account of the grant for a year;
- `followup`: follow-up statistics of the cases for a municipality or the nation;
- `render_html`, `render_pdf`, `render_csv`: the outputs, in Swedish;
- `publish`: a report built, rendered and written to the reports directory.

Every count of people leaves this package through `models.suppression`.
"""
