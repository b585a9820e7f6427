"""Per-caller rate limits: what the web ACL enforces in front of the API (infra/constructs/waf.py) and the local
runner mirrors (infra/local/server.py), in one table. Sizing and what is (and is not) per caller:
docs/operations.md, "Throttling".

A *caller* is the value of the ``Authorization`` header: one person's token, one integration key, one OAuth
client's access token. Each dialect's paths have their own count per caller, so a caller busy in one dialect is not
slowed in another, and one caller over its limit is refused (429 in its dialect's error shape, with ``Retry-After``)
while every other caller goes on. Requests without the header (anonymous, refused 401 by the route anyway) are
counted per client IP instead, by the backstop rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from functions.platform.errors import error_body
from functions.platform.gateway import gateway_body

WINDOW_SECONDS = 60  # the shortest evaluation window WAF offers: a throttled caller is let through again soonest
RETRY_AFTER_SECONDS = WINDOW_SECONDS  # by then the window holds none of the requests that went over the limit
# The exam-day model (docs/operations.md): 100,000 students of one course start one exam within 60 s.
MODEL_STUDENTS = 100_000
MODEL_START_SECONDS = 60


@dataclass(frozen=True)
class CallerLimit:
    name: str  # the WAF rule's name and metric
    dialect: str  # whose error shape the 429 has
    prefixes: tuple[str, ...]  # the dialect's paths start with one of them (after the stage name, if any)
    limit: int  # requests per WINDOW_SECONDS per Authorization header value
    basic: bool | None = None  # True: Basic credentials only; False: any other scheme; None: all
    why: str = ""

    @property
    def body_key(self) -> str:
        return f"throttled-{self.dialect}"

    def matches(self, path: str, authorization: str | None) -> bool:
        if not authorization or not _without_stage(path).startswith(self.prefixes):
            return False
        return self.basic is None or self.basic == authorization.lower().startswith("basic ")


# A student's client: the start, a save every few seconds at most, the submit, reads: 10/s is far above it.
PERSON = 600
# An integration that starts (or begins) an exam for all its students: the model's 100,000 within 60 s, +20%.
INTEGRATION_START = MODEL_STUDENTS * 12 // 10 * WINDOW_SECONDS // MODEL_START_SECONDS
STAFF = 1_200  # a dashboard or script paging lists and granting extensions (50 users per request): 20/s
SERVICE = 6_000  # an OAuth integration assigning and importing for every student of a course: 100/s

LEARNINGSTUDIO = ("/users/", "/courses/")  # a user's exams; a course's exam resets
CALLER_LIMITS: tuple[CallerLimit, ...] = (
    CallerLimit("examspark-integration", "examspark", ("/api/exam-",), INTEGRATION_START, basic=True,
                why="an LMS integration (Basic key) starting sessions for a whole exam"),
    CallerLimit("examspark-person", "examspark", ("/api/exam-",), PERSON, basic=False,
                why="a student's or a staff member's token"),
    CallerLimit("learningstudio-integration", "learningstudio", LEARNINGSTUDIO, INTEGRATION_START, basic=True,
                why="an integration beginning exams for a whole course"),
    CallerLimit("learningstudio-person", "learningstudio", LEARNINGSTUDIO, PERSON, basic=False,
                why="a student's or a staff member's token"),
    CallerLimit("openedx-caller", "openedx", ("/api/instructor/",), STAFF, why="instructor dashboards and tools"),
    CallerLimit("canvas-caller", "canvas", ("/api/v1/",), STAFF, why="Canvas tools, canvasapi scripts"),
    CallerLimit("powerpath-caller", "powerpath", ("/powerpath/",), SERVICE,
                why="PowerPath integrations (OAuth clients) assigning and importing per student"),
    CallerLimit("authoring-caller", "examdesk", ("/authoring/",), STAFF, why="administrators and provisioning scripts"),
)

# Not per caller: per client IP, every request (with or without credentials), over 5 minutes. A backstop against
# floods of anonymous or ever-changing credentials, which the per-caller rules cannot count as one caller. Sized
# for a campus behind one NAT address: 20,000 students starting within a minute, then saving.
IP_BACKSTOP = 100_000
IP_BACKSTOP_WINDOW_SECONDS = 300
IP_BACKSTOP_BODY_KEY = "throttled-gateway"
# The public MasteryTrack write-back: per IP too (it has no credentials), 300 per 5 minutes (docs/operations.md).
WEBHOOK_PREFIX = "/powerpath/webhooks/"
WEBHOOK_RATE = 300

STAGE_PREFIX = "/prod"  # the execute-api URL carries the stage name; a root-mapped custom domain does not


def _without_stage(path: str) -> str:
    rest = path.removeprefix(STAGE_PREFIX)
    return rest if rest != path and rest.startswith("/") else path


def message(window: int = WINDOW_SECONDS) -> str:
    return f"too many requests from this caller; retry after {window} seconds"


def throttled_body(dialect: str) -> dict[str, Any]:
    """The 429's body in the dialect's own error shape (functions/platform/errors.py)."""
    return error_body(dialect, 429, "throttled", message())


def backstop_body() -> dict[str, Any]:
    return gateway_body(429, "throttled", "too many requests from this address; retry after "
                        f"{IP_BACKSTOP_WINDOW_SECONDS} seconds")


def response_bodies() -> dict[str, dict[str, Any]]:
    """Body key -> body, as the web ACL's custom response bodies."""
    bodies = {limit.body_key: throttled_body(limit.dialect) for limit in CALLER_LIMITS}
    return {**bodies, IP_BACKSTOP_BODY_KEY: backstop_body()}


def limit_for(path: str, authorization: str | None) -> CallerLimit | None:
    """The per-caller rule that counts this request, if any (the first that matches, as WAF's priorities)."""
    return next((limit for limit in CALLER_LIMITS if limit.matches(path, authorization)), None)
