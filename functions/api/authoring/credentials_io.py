"""Bodies and answers of the credential routes (functions/core/credentials.py; docs/credentials.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from functions.api.authoring.bodies import Body, Short
from functions.core.credentials import (
    CREDENTIAL_ID_PATTERN,
    MAX_COURSES,
    MAX_OVERLAP_SECONDS,
    Credential,
    CredentialKind,
)
from functions.core.rights import Right
from functions.core.services.credentials import Issued

CredentialId = Annotated[str, Path(pattern=CREDENTIAL_ID_PATTERN, description="1..128 of A-Z a-z 0-9 . _ -")]
# Any course id the table holds (the service checks that each exists), or "*".
CourseRef = Annotated[str, Field(min_length=1, max_length=512)]


class CredentialCreate(Body):
    kind: CredentialKind = Field(description="basic: HTTP Basic id:secret on every request; oauth: an OAuth2 "
                                             "client (client credentials grant at the token URL)")
    name: Short
    courses: list[CourseRef] = Field(min_length=1, max_length=MAX_COURSES,
                                     description="the courses it may act in, or ['*'] for every course")
    rights: list[Right] = Field(min_length=1, max_length=len(Right),
                                description="its rights in those courses; an OAuth client's scopes are "
                                            "examdesk/<right>")
    id: str | None = Field(None, pattern=CREDENTIAL_ID_PATTERN, description="made (key-… / client-…) if omitted")


class CredentialRotate(Body):
    overlap_seconds: int | None = Field(None, strict=True, ge=0, le=MAX_OVERLAP_SECONDS,
                                        description="how long the old secret keeps working (default 3600; 0: "
                                                    "refused at once)")


class CredentialOut(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)
    id: str = Field(description="the Basic user name, or the OAuth client_id")
    kind: CredentialKind
    name: str
    courses: list[str]
    rights: list[str]
    scopes: list[str] = Field(description="OAuth clients: the scopes it may ask for; [] for Basic keys")
    status: str = Field(description="active | revoked")
    created_at: datetime | None = None
    created_by: str | None = None
    rotated_at: datetime | None = None
    previous_valid_until: datetime | None = Field(None, description="the old secret works until then")
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    version: int


class IssuedOut(CredentialOut):
    secret: str = Field(description="shown this once: only its hash is stored")


def credential_out(credential: Credential) -> CredentialOut:
    return CredentialOut.model_validate(credential.public())


def issued_out(issued: Issued) -> IssuedOut:
    return IssuedOut.model_validate({**issued.credential.public(), "secret": issued.secret})
