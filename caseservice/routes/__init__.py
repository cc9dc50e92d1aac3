"""One router per area; each route is thin over `services/` behind `Context.allow`."""
