"""What can go wrong talking to Natural, as a small hierarchy the views can act on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from natural.records import ApiError


class NaturalError(Exception):
    """Base: `.message` is safe to show to users, `.status` is Natural's HTTP status if any."""

    default_message = "Natural could not complete the request."
    page_status = 502

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        errors: Iterable[ApiError] = (),
    ) -> None:
        self.message = message or self.default_message
        self.status = status
        self.errors: tuple[ApiError, ...] = tuple(errors)
        super().__init__(self.message)

    @property
    def support_id(self) -> str | None:
        """Natural's request id for its support team (the first error's `meta.supportId`)."""
        return next((error.support_id for error in self.errors if error.support_id), None)

    @property
    def status_code_for_page(self) -> int:
        """The HTTP status our own page should answer with."""
        return self.page_status


class NaturalUnavailable(NaturalError):
    """Natural could not be reached or kept failing (transport errors, 5xx after retries)."""

    default_message = "Natural is not answering right now. Try again in a moment."
    page_status = 502


class NaturalTimeout(NaturalUnavailable):
    """A read took longer than our timeout."""

    default_message = "Natural took too long to answer. Try again in a moment."
    page_status = 504


class NaturalBadResponse(NaturalUnavailable):
    """Natural answered with something we cannot read (not JSON, or not the documented shape)."""

    default_message = "Natural sent an answer the dashboard could not read."
    page_status = 502


class NaturalRateLimited(NaturalError):
    """Natural asked us to slow down for longer than a page can wait."""

    default_message = "Natural is limiting requests right now. Try again shortly."
    page_status = 503

    def __init__(self, message: str | None = None, *, retry_after: float = 0.0, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class NaturalRejected(NaturalError):
    """A final 4xx: the request itself was refused; `.errors` says why and where."""

    default_message = "Natural refused the request."
    page_status = 400

    def __init__(self, message: str | None = None, **kwargs) -> None:
        errors = tuple(kwargs.get("errors", ()))
        details = "; ".join(error.detail for error in errors if error.detail)
        super().__init__(message or details or None, **kwargs)


class NaturalNotFound(NaturalRejected):
    """The resource does not exist or is not visible to our account."""

    default_message = "Natural has no such record for this account."
    page_status = 404


class NaturalCredentialsRefused(NaturalError):
    """Natural refused the dashboard's own API token (401/403): an operator must fix it."""

    default_message = (
        "Natural refused the dashboard's API credentials. "
        "This is a configuration problem: ask an operator to check the API token."
    )
    page_status = 503


class NaturalOutcomeUnknown(NaturalError):
    """A write may or may not have happened; reconcile or retry with the same key."""

    default_message = (
        "Natural did not confirm the request. It may or may not have been applied: "
        "retry with the same key or check the current state before creating it again."
    )
    page_status = 502

    def __init__(self, message: str | None = None, *, last_status: int | None = None, **kwargs):
        kwargs.setdefault("status", last_status)
        super().__init__(message, **kwargs)
        self.last_status = last_status


@dataclass(frozen=True)
class UpstreamFailure:
    """What a page shows when Natural failed a read: a safe message, the status our page answers
    with, and Natural's support id. Every page renders it with `includes/upstream_error.html`."""

    message: str
    status: int
    support_id: str | None = None
    retry_after: float | None = None
    # A refused token is not fixed by retrying: the message itself names the remedy.
    credentials: bool = False

    @property
    def retryable(self) -> bool:
        return self.status >= 500 and not self.credentials

    @classmethod
    def of(cls, error: NaturalError) -> UpstreamFailure:
        if isinstance(error, NaturalRejected):
            cursor = any(item.parameter == "cursor" for item in error.errors)
            message = (
                "This page link is no longer valid. Start again from the first page."
                if cursor
                else f"Natural refused this request: {error.message}"
            )
            return cls(message, 400, error.support_id)
        return cls(
            error.message,
            error.status_code_for_page,
            error.support_id,
            getattr(error, "retry_after", None),
            credentials=isinstance(error, NaturalCredentialsRefused),
        )
