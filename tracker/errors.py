"""Domain errors: each carries a readable message and the HTTP status it maps to.

Services raise these before writing anything, or inside the atomic block so the whole
change rolls back; callers (views, API, mail gateway, CLI) turn them into a 4xx answer,
a bounce or an exit code.
"""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class PermissionDenied(DomainError):
    status_code = 403


class NotFound(DomainError):
    """Missing, or not visible to the actor: both answer the same way."""

    status_code = 404


class InvalidTransition(DomainError):
    status_code = 409


class ValidationFailed(DomainError):
    status_code = 400


class Conflict(DomainError):
    status_code = 409
