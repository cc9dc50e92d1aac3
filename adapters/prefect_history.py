"""Prefect's record of a case, deleted when the case is culled: its flow runs (named
`<case number>-<phase>`, flows/resume.py), their artifacts; the server deletes a deleted
run's task runs, states and inputs with it, and its logs in a background task a moment
later. Its events cannot be deleted through the API: they expire with the server's events
retention (docs/data-over-time.md). The port is `services.culling.CaseHistory`.
Tested against a real server: tests/flows/test_culling_prefect.py."""

from __future__ import annotations


class PrefectCaseHistory:
    """Through the Prefect API the process is pointed at (PREFECT_API_URL)."""

    def delete_case_runs(self, case_number: str) -> int:
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.filters import (
            ArtifactFilter,
            ArtifactFilterFlowRunId,
            FlowRunFilter,
            FlowRunFilterName,
        )

        with get_client(sync_client=True) as client:
            runs = [r for r in client.read_flow_runs(flow_run_filter=FlowRunFilter(
                        name=FlowRunFilterName(like_=case_number)))
                    if r.name.startswith(f"{case_number}-")]
            for run in runs:
                for artifact in client.read_artifacts(artifact_filter=ArtifactFilter(
                        flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]))):
                    client.delete_artifact(artifact.id)
                client.delete_flow_run(run.id)
        return len(runs)
