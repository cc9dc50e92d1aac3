"""Persistence: queries and writes on Utväg's tables, used inside a unit of work
(`adapters.db.Database.uow`). Use cases call these; nothing above `services/` does."""
