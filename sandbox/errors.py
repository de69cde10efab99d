"""The documented error envelope: `{"errors": [{code, detail, status, source, meta}]}`."""

import uuid
from dataclasses import dataclass, field
from typing import Any

DEFAULT_DETAILS = {
    "invalid_value": "The request contains an invalid value.",
    "invalid_pagination_cursor": "The pagination cursor is invalid or has expired.",
    "unauthenticated": "Authentication credentials are missing or invalid.",
    "not_found": "The requested resource does not exist or is not accessible.",
    "agent_not_found": "Agent not found.",
    "delegation_not_found": "Delegation not found.",
    "method_not_allowed": "This method is not allowed on this resource.",
    "conflict": "The request conflicts with the current state of the resource.",
    "rate_limited": "Too many requests. Please try again later.",
    "server_error": "An unexpected error occurred.",
    "bad_gateway": "Bad gateway.",
    "service_unavailable": "The service is temporarily unavailable.",
    "gateway_timeout": "The upstream service timed out.",
}

CODE_FOR_SERVER_STATUS = {
    500: "server_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}


def new_support_id() -> str:
    return f"req_{uuid.uuid4().hex}"


@dataclass
class ErrorItem:
    code: str
    status: int
    detail: str | None = None
    pointer: str | None = None
    parameter: str | None = None
    header: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def to_json(self, support_id: str) -> dict[str, Any]:
        item: dict[str, Any] = {
            "code": self.code,
            "detail": self.detail or DEFAULT_DETAILS.get(self.code, self.code),
            "status": str(self.status),
        }
        source = {
            key: value
            for key, value in (
                ("pointer", self.pointer),
                ("parameter", self.parameter),
                ("header", self.header),
            )
            if value is not None
        }
        if source:
            item["source"] = source
        item["meta"] = {"supportId": support_id, **self.meta}
        return item


class ApiError(Exception):
    """Raised anywhere in request handling; the app turns it into the error envelope.

    All items of one error share the HTTP status.
    """

    def __init__(self, *items: ErrorItem, headers: dict[str, str] | None = None) -> None:
        if not items:
            raise ValueError("an ApiError needs at least one item")
        super().__init__(items[0].detail or items[0].code)
        self.items = list(items)
        self.status = items[0].status
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        support_id = new_support_id()
        return {"errors": [item.to_json(support_id) for item in self.items]}


def invalid_parameter(name: str, detail: str) -> ApiError:
    return ApiError(ErrorItem("invalid_value", 400, detail, parameter=name))


def invalid_header(name: str, detail: str) -> ApiError:
    return ApiError(ErrorItem("invalid_value", 400, detail, header=name))


def invalid_body(pointer: str, detail: str) -> ApiError:
    return ApiError(ErrorItem("invalid_value", 422, detail, pointer=pointer))


def not_found(code: str = "not_found", detail: str | None = None) -> ApiError:
    return ApiError(ErrorItem(code, 404, detail))


def conflict(detail: str, **meta: Any) -> ApiError:
    return ApiError(ErrorItem("conflict", 409, detail, meta=meta))
