"""Notifications to a municipality's coordinators (a webhook the municipality runs)."""
