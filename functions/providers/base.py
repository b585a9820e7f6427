"""The provider interface every adapter implements (assign, fetch results), and the plumbing they share.

The interface is the domain's port, ``core.external_tests.ProviderPort``: the domain defines what it needs,
adapters here implement it, so core never imports this package. ``Provider`` adds configuration, JSON
over HTTP (``http.py``) and payload validation that turns any surprise into ProviderFailed.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from functions.core.errors import ProviderFailed
from functions.core.external_tests import Assigned, AssignRequest, ProviderPort, ProviderResults
from functions.core.models import ExternalAssignment
from functions.providers import config
from functions.providers.http import HttpPolicy, request_json

M = TypeVar("M", bound=BaseModel)

__all__ = ["Provider", "ProviderPort"]


class Provider(ABC):
    name: str

    def __init__(self, base_url: str | None, policy: HttpPolicy) -> None:
        self.base_url = base_url
        self.policy = policy

    @abstractmethod
    def assign(self, request: AssignRequest) -> Assigned: ...

    @abstractmethod
    def fetch_results(self, assignment: ExternalAssignment) -> ProviderResults | None: ...

    # --- plumbing --------------------------------------------------------------------------------
    def url(self, path: str) -> str:
        if not self.base_url:
            raise ProviderFailed(f"{self.name} is not configured (no base URL)")
        return f"{self.base_url}{path}"

    def call(self, method: str, path: str, *, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        return request_json(self.name, method, self.url(path), body=body, headers=headers, policy=self.policy)

    def secret(self, variable: str) -> str:
        try:
            value = config.secret(variable)
        except Exception as error:  # SSM / Secrets Manager unreachable or denied
            what = type(error).__name__
            raise ProviderFailed(f"{self.name} credentials could not be read: {what}") from None
        if not value:
            raise ProviderFailed(f"{self.name} is not configured ({variable} is not set)")
        return value

    def parse(self, model: type[M], payload: Any, what: str) -> M:
        try:
            return model.model_validate(payload)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "body"
            raise ProviderFailed(f"{self.name} answered {what} with an unexpected payload: {where}: "
                                 f"{first.get('msg', 'invalid')}") from None
