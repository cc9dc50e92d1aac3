"""The webhook implementation of `CoordinatorNotifier`: POST the notice as JSON to the
configured URL (`UTVAG_COORDINATOR_WEBHOOK_URL`), with an Idempotency-Key header. The
receiving channel routes on `organisation` to that municipality's coordinators."""

from __future__ import annotations

import httpx

from adapters.coordinators.port import CoordinatorNotice
from adapters.http import send

AGENCY = "coordinators"


class WebhookCoordinatorNotifier:
    def __init__(self, client: httpx.Client, *, path: str = "") -> None:
        self._client = client
        self._path = path

    def notify(self, *, idempotency_key: str, notice: CoordinatorNotice) -> None:
        send(self._client, agency=AGENCY, method="POST", url=self._path,
             json=notice.model_dump(mode="json"), idempotency_key=idempotency_key)

