"""Utväg's use cases, free of Prefect: plain values and ports in, typed results out.

The CLI, the case service and the Prefect tasks call these; they reach the database
through `adapters.repositories` and the agencies through the ports they are handed.
"""
