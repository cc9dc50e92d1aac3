"""The case service: the one way in for people (`utvag serve`). FastAPI on uvicorn, a
versioned JSON API under `/api/v1` (contract: docs/contracts/case-service.openapi.json,
written by `python -m caseservice.contract`).

- Authentication: `Authorization: Bearer <access token>` of the OpenID Connect provider,
  checked by the injected `adapters.oidc.Verifier`; the principal
  (`models.principal.Principal.from_claims`) is who acts. Anything wrong: 401 with
  `WWW-Authenticate: Bearer` and nothing else. The actor of every record is the
  principal's staff id, never a typed value.
- Authorization: `services.access.authorize` in front of every use case, from the one
  policy table (`services/access/policy.py`, matrix in docs/access-matrix.md). Out of
  scope or not there: 404 `not found`, journaled as denied. Every access is journaled in
  `access_log` in its own committed transaction before anything is read.
- Database: the role `utvag_app` (`caseservice/runtime.py`), every transaction bound to
  the principal for row-level security (docs/database-roles.md): a use case that forgot
  the policy still gets nothing outside the principal's scope.
- Errors: `{"error": {"field": ..., "message": ...}}`; 422 names the field, never
  repeats the input; 500 carries no traceback.
- Guards (`caseservice.guards`): body limit (413), text without control characters
  (422), repeated 401/404 slowed down (429, Retry-After), security headers.
- After an answer is recorded the case's flow run is woken through the `Waker` port
  (`caseservice.waker.PrefectWaker`), after the response.

Areas: `routes/cases.py` (open, caseload, view, agencies' view, assignments,
break-glass), `before.py`, `during.py` (needs, plan, providers, grant),
`relocation.py` (decision, destination, belongings, transfer), `after.py`,
`oversight.py` (operator status, grants ledger, audit).
"""
