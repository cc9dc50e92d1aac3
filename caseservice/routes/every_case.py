"""The reports over every case in the case service (docs/reports.md): the workers make
them (role utvag_worker) and store them; the service (role utvag_app) hands out the
latest stored one, or records a request for it and has its run started through the
service's Prefect port (202). The routes themselves are in `caseservice/routes/reports.py`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from caseservice.deps import Context
from caseservice.errors import ApiError, refused
from services.reports import downloads
from services.reports import publish_serve as published
from services.reports.output import OutputFormat
from services.reports.publish_serve import StoredReport
from services.reports.publish_store import ReportKind


class RequestedOut(BaseModel):
    """202: no report for these parameters yet; its run has been started."""
    status: Literal["requested"] = "requested"
    message: str = "rapporten tas fram"
    request_id: str
    flow_run_id: str | None
    requested_at: datetime
    started: bool  # False: a run for the same report was already under way


EVERY_CASE_RESPONSES: dict[int | str, dict[str, Any]] = {
    202: {"model": RequestedOut, "description": "not made yet: its run has been started"}}


def published_or_requested(ctx: Context, kind: ReportKind, parameters: str, *,
                           deployment: str, run_parameters: dict[str, Any],
                           serve: Callable[[StoredReport], Response]) -> Response:
    """The latest stored report for the parameters, or 202 with a request recorded and
    its run started (503 if Prefect does not take the run: nothing recorded)."""
    found = published.latest(ctx.rt, kind, parameters)
    if found is not None:
        return serve(found)
    try:
        asked = published.request(ctx.rt, kind, parameters, by=ctx.by, start_run=lambda: (
            ctx.waker.start_report(deployment, run_parameters)))
    except published.RunNotStarted as exc:
        raise ApiError(503, None, str(exc), headers={"Retry-After": "60"}) from None
    body = RequestedOut(request_id=str(asked.id), flow_run_id=asked.flow_run_id,
                        requested_at=asked.requested_at, started=asked.started)
    return JSONResponse(body.model_dump(mode="json"), status_code=202,
                        headers={"Retry-After": "10"})


def stored_download(found: StoredReport, *, fmt: OutputFormat, stem: str,
                    table: str | None) -> Response:
    """A stored report as a download; `table=` naming no table of it: 422 on `table`."""
    try:
        got = published.download(found, fmt=fmt, stem=stem, table=table)
    except downloads.UnknownTable as exc:
        raise refused(exc) from None
    return Response(got.content, media_type=got.media_type, headers={
        "Content-Disposition": f'attachment; filename="{got.filename}"'})
