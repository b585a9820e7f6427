"""Deployment settings read from CDK context (cdk.json or ``-c key=value``), with defaults for tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from constructs import Node

REPO_ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = REPO_ROOT / "functions"
PYPROJECT = REPO_ROOT / "pyproject.toml"
UV_LOCK = REPO_ROOT / "uv.lock"

# THE Lambda Python version, defined here only: the runtime (code_assets.RUNTIME), the layer's wheels (pip
# --python-version, layer_bundling) and the shipped bytecode (bytecode.RUNTIME_PYTHON) all derive from it.
# 3.13: the newest Lambda runtime whose interpreter the build machines have (bytecode is compiled by it); the
# dependencies also ship cp314 wheels, so 3.14 is this one line once a 3.14 interpreter is installed.
LAMBDA_PYTHON = "3.13"

# Context keys. Defaults mirror functions/platform/settings.py so an unconfigured deploy matches local runs.
STACK_NAME = "examdesk:stackName"
JWKS_URL = "examdesk:jwksUrl"
JWT_ISSUER = "examdesk:jwtIssuer"
JWT_AUDIENCE = "examdesk:jwtAudience"
LOG_LEVEL = "examdesk:logLevel"
THROTTLE_RATE = "examdesk:throttleRateLimit"
THROTTLE_BURST = "examdesk:throttleBurstLimit"
IMPORTER_RATE_MINUTES = "examdesk:importerRateMinutes"
EDULASTIC_URL = "examdesk:edulasticUrl"
MASTERYTRACK_URL = "examdesk:masteryTrackUrl"
MASTERYTRACK_EMAIL = "examdesk:masteryTrackEmail"
SECRET_PARAMETER_PREFIX = "examdesk:secretParameterPrefix"  # SSM SecureStrings <prefix>edulastic-token, ...
API_BASE_URL = "examdesk:apiBaseUrl"  # a custom domain (with any base path); default: the stage's own URL

DEFAULTS: dict[str, str | int | float] = {
    STACK_NAME: "Examdesk",
    JWKS_URL: "",
    JWT_ISSUER: "examdesk",
    JWT_AUDIENCE: "examdesk-api",
    LOG_LEVEL: "INFO",
    # Per method (API Gateway's stage default applies to each method on its own), sized from the exam-day model:
    # 100,000 starts within 60 s is 1,667/s on the start method; 1.5x for clicks bunching at the open time.
    # The burst is the account's default regional burst (docs/operations.md, "Throttling").
    THROTTLE_RATE: 2500,
    THROTTLE_BURST: 5000,
    IMPORTER_RATE_MINUTES: 5,
    EDULASTIC_URL: "",
    MASTERYTRACK_URL: "",
    MASTERYTRACK_EMAIL: "examdesk@example.edu",
    SECRET_PARAMETER_PREFIX: "/examdesk/",
    API_BASE_URL: "",
}

LOG_LEVELS = ("DEBUG", "INFO", "WARN", "ERROR")


@dataclass(frozen=True)
class DeployConfig:
    stack_name: str
    jwks_url: str
    jwt_issuer: str
    jwt_audience: str
    log_level: str
    throttle_rate_limit: float
    throttle_burst_limit: int
    importer_rate_minutes: int = 5
    edulastic_url: str = ""
    masterytrack_url: str = ""
    masterytrack_email: str = "examdesk@example.edu"
    secret_parameter_prefix: str = "/examdesk/"
    api_base_url: str = ""

    @classmethod
    def from_node(cls, node: Node) -> DeployConfig:
        def get(key: str) -> str:
            value = node.try_get_context(key)
            return str(DEFAULTS[key] if value is None else value)

        log_level = get(LOG_LEVEL).upper()
        if log_level not in LOG_LEVELS:
            raise ValueError(f"{LOG_LEVEL} must be one of {LOG_LEVELS}, got {log_level!r}")
        return cls(
            stack_name=get(STACK_NAME),
            jwks_url=get(JWKS_URL),
            jwt_issuer=get(JWT_ISSUER),
            jwt_audience=get(JWT_AUDIENCE),
            log_level=log_level,
            throttle_rate_limit=float(get(THROTTLE_RATE)),
            throttle_burst_limit=int(get(THROTTLE_BURST)),
            importer_rate_minutes=_importer_rate(get(IMPORTER_RATE_MINUTES)),
            edulastic_url=get(EDULASTIC_URL),
            masterytrack_url=get(MASTERYTRACK_URL),
            masterytrack_email=get(MASTERYTRACK_EMAIL),
            secret_parameter_prefix=_parameter_prefix(get(SECRET_PARAMETER_PREFIX)),
            api_base_url=_base_url(get(API_BASE_URL)),
        )


def _importer_rate(value: str) -> int:
    minutes = int(value)
    if not 1 <= minutes <= 60:
        raise ValueError(f"{IMPORTER_RATE_MINUTES} must be 1..60 minutes, got {minutes}")
    return minutes


def _parameter_prefix(value: str) -> str:
    if not (value.startswith("/") and value.endswith("/")):
        raise ValueError(f"{SECRET_PARAMETER_PREFIX} must start and end with '/', got {value!r}")
    return value


def _base_url(value: str) -> str:
    if value and not value.startswith("https://"):
        raise ValueError(f"{API_BASE_URL} must be an https:// URL, got {value!r}")
    return value.rstrip("/")
