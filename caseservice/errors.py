"""Errors as the API answers them: `{"error": {"field": ..., "message": ...}}`.

The message names the field and says what is wrong; it never repeats the input (which
may be a name, an identity number or an address) and never carries a traceback."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException


class ErrorBody(BaseModel):
    field: str | None
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody


class ApiError(Exception):
    def __init__(self, status: int, field: str | None, message: str, *,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.field, self.message = status, field, message
        self.headers = dict(headers or {})


def error_response(status: int, field: str | None, message: str, *,
                   headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"field": field, "message": message}}, status_code=status,
                        headers=dict(headers or {}))


def not_found() -> ApiError:
    return ApiError(404, None, "not found")


def unauthenticated() -> ApiError:
    return ApiError(401, None, "unauthenticated", headers={"WWW-Authenticate": "Bearer"})


def refused(exc: Exception | str, *, status: int = 422) -> ApiError:
    """A use case's refusal worded `field: problem` (as the rules word them)."""
    field, sep, problem = str(exc).partition(": ")
    return ApiError(status, field if sep else None, problem if sep else str(exc))


def field_of(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def problem(error: Mapping[str, Any]) -> str:
    """Pydantic's complaint in a person's words, never with the input itself."""
    ctx = error.get("ctx") or {}
    match error["type"]:
        case "enum" | "literal_error":
            return "one of " + str(ctx.get("expected", "")).replace("'", "")
        case "bool_parsing" | "bool_type":
            return "true or false"
        case "missing":
            return "required"
        case "extra_forbidden":
            return "not part of this request"
        case "json_invalid":
            return "not valid JSON"
        case "string_too_long":
            return f"at most {ctx.get('max_length')} characters"
        case "string_too_short":
            return f"at least {ctx.get('min_length')} characters"
        case "string_pattern_mismatch":
            return "not in the expected form"
        case "value_error":
            return str(ctx.get("error", "")).partition(": ")[2] or "not accepted"
    return str(error.get("msg", "not accepted")).split(",")[0][:100]


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.field, exc.message, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        loc = first.get("loc", ())
        field = "body" if first.get("type") == "json_invalid" else field_of(loc)
        said = str((first.get("ctx") or {}).get("error", "")).partition(": ")
        if first.get("type") == "value_error" and said[1] and said[0].isidentifier():
            # A model's own check across fields words it `field: problem`: that field.
            field = ".".join([*field_of(loc).split(".")[:-1], said[0]]) \
                if field != "body" else said[0]
        return error_response(422, field, problem(first))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = {404: "not found", 405: "method not allowed"}.get(exc.status_code,
                                                                   "request refused")
        return error_response(exc.status_code, None, message)

    @app.exception_handler(Exception)
    async def _crash(_: Request, exc: Exception) -> JSONResponse:
        # No traceback and no exception text in the answer: it may hold personal data.
        return error_response(500, None, "internal error")
