"""Least privilege by action: each function's role holds exactly the DynamoDB actions its code calls.

What each function calls is data, infra/dynamodb_actions.json (route name, ``import-results``, ``close-overlaps``
-> IAM actions; ``Query@gsi2`` is a query on index gsi2, granted on that index's ARN). The tests record it:
every test run fails when a function calls an action the file does not list (tests/dynamodb_actions.py), and
``make record-actions`` rewrites it from a run of the suites. tests/infra/test_permissions.py checks that the
template grants each function exactly its entry, no more, no less.

Functions whose needs are identical (the same DynamoDB actions and secrets) share one role: a stack counts one
role and one policy per distinct need, not per route (infra/stack.py's resource budget).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.config import REPO_ROOT, DeployConfig
from infra.constructs.function import FunctionRole
from infra.constructs.providers import grant_provider_secrets

ACTIONS_FILE = REPO_ROOT / "infra" / "dynamodb_actions.json"
IMPORTER = "import-results"
PREWARM = "prewarm"
BACKFILL = "backfill-lists"  # the operator's list backfill: the only function that may Scan


def load_actions(path: Path = ACTIONS_FILE) -> dict[str, frozenset[str]]:
    return {name: frozenset(actions) for name, actions in json.loads(path.read_text()).items()}


@dataclass(frozen=True)
class Needs:
    """What a function's code calls: DynamoDB actions and the SSM secret variables it reads."""

    dynamodb: frozenset[str]
    secrets: frozenset[str] = frozenset()
    cognito: bool = False  # manages the user pool's app clients (the credential routes, infra/constructs/identity.py)

    @property
    def key(self) -> str:
        text = json.dumps([sorted(self.dynamodb), sorted(self.secrets), self.cognito])
        return hashlib.sha256(text.encode()).hexdigest()[:10]

    def describe(self) -> str:
        parts = ", ".join(sorted(self.dynamodb)) or "no table access"
        if self.secrets:
            parts += "; secrets " + ", ".join(sorted(self.secrets))
        if self.cognito:
            parts += "; the user pool's app clients"
        return parts


def needs_of(name: str, actions: dict[str, frozenset[str]], secrets: Iterable[str] = (), *,
             cognito: bool = False) -> Needs:
    if name not in actions:
        raise ValueError(f"{name}: no DynamoDB actions recorded in {ACTIONS_FILE.name}; run `make record-actions`")
    return Needs(actions[name], frozenset(secrets), cognito)


def make_role(scope: Construct, construct_id: str, *, needs: Needs, table: dynamodb.Table, config: DeployConfig,
              description: str, cognito: iam.PolicyStatement | None = None) -> FunctionRole:
    role = FunctionRole(scope, construct_id, config=config, description=f"{description}: {needs.describe()}")
    role.grant_dynamodb(table, needs.dynamodb)
    grant_provider_secrets(role, role.role, config, needs.secrets)
    if needs.cognito:
        if cognito is None:
            raise ValueError(f"{description}: needs the user pool's app clients, but no pool statement was given")
        role.role.add_to_policy(cognito)
    return role


class SharedRoles(Construct):
    """One role per distinct ``Needs`` among the route functions (created on first use)."""

    def __init__(self, scope: Construct, construct_id: str, *, table: dynamodb.Table, config: DeployConfig,
                 cognito: iam.PolicyStatement | None = None) -> None:
        super().__init__(scope, construct_id)
        self.table = table
        self.config = config
        self.cognito = cognito
        self.roles: dict[Needs, FunctionRole] = {}
        self.users: dict[Needs, list[str]] = {}

    def role_for(self, name: str, needs: Needs) -> FunctionRole:
        if needs not in self.roles:
            self.roles[needs] = make_role(self, f"Role{needs.key}", needs=needs, table=self.table,
                                          config=self.config, description="examdesk routes", cognito=self.cognito)
        self.users.setdefault(needs, []).append(name)
        return self.roles[needs]
