"""The `utvag` command line.

Prefect reads its settings when it is first imported, so the API address of the
local stack is put in place here, before any command imports Prefect: a
coordinator's `utvag case decide` in another terminal talks to the same server
that `make run` started, not to a throwaway one.
"""

from adapters.settings import apply_prefect_defaults

apply_prefect_defaults()
