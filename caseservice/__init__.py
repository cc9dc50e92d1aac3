"""The case service: the one way in for people (`utvag serve`). FastAPI on uvicorn, a
versioned JSON API under `/api/v1`, bearer tokens from the organisation's OpenID Connect
provider, and every use case behind `services.access.authorize`. See `caseservice.app`."""
