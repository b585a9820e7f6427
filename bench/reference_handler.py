"""The cold-start floor: boto3, a Powertools REST resolver with validation and one pydantic-validated route,
nothing of ours. bench/coldstart.py times importing this next to every route module."""

from __future__ import annotations

from typing import Any

import boto3  # noqa: F401  (the floor: every function talks to DynamoDB)
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from pydantic import BaseModel, Field

app = APIGatewayRestResolver(enable_validation=True)


class Thing(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    count: int = 0


@app.post("/things")
def create_thing(thing: Thing) -> dict[str, Any]:
    return thing.model_dump()


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
