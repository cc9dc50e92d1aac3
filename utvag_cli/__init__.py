"""The `utvag` command line (`utvag_cli.main`).

Prefect reads its settings when it is first imported, so `main()` puts the API address
of the configured server in place (`adapters.settings.apply_prefect_defaults`) before any
command imports Prefect: a coordinator's `utvag case decide` in another terminal talks to
the same server that `make run` started, not to a throwaway one. Importing this package
changes nothing (a test that imports it keeps its own environment).
"""
