"""Part 2, DynamoDB cost per route: requests and RCU / WCU of one request to every route of the registry on the
realistic data set, next to the minimum its access pattern allows (bench/minimums.py)."""

from __future__ import annotations

import os
from typing import Any

from bench.capacity import Meter
from bench.report import Row
from bench.scenarios import STEPS, State, Step, resolve


def start_fakes() -> dict[str, Any]:
    """Fake Edulastic and MasteryTrack in this process (threads), configured as the local runner does."""
    from functions.providers import config, registry
    from infra.local import fake_providers as fakes
    from infra.local.scheduler import LOCAL_WEBHOOK_SECRET

    edulastic, mastery = fakes.FakeEdulastic().start(), fakes.FakeMasteryTrack(
        webhook_secret=LOCAL_WEBHOOK_SECRET).start()
    os.environ.update({config.EDULASTIC_URL: edulastic.url, config.EDULASTIC_TOKEN: fakes.EDULASTIC_TOKEN,
                       config.MASTERYTRACK_URL: mastery.url, config.MASTERYTRACK_API_KEY: fakes.MASTERYTRACK_API_KEY,
                       config.MASTERYTRACK_WEBHOOK_SECRET: LOCAL_WEBHOOK_SECRET})
    registry.reset()
    return {"edulastic": edulastic, "mastery": mastery}


def run_step(step: Step, state: State, meter: Meter) -> tuple[int, Any]:
    from bench.calls import invoke

    meter.reset()
    status, body = invoke(step.route, resolve(step.path, state), caller=step.caller,
                          query=resolve(step.query, state), body=resolve(step.body, state),
                          headers=resolve(step.headers, state))
    if status != step.status:
        raise RuntimeError(f"{step.label}: expected {step.status}, got {status}: {body}")
    if step.keep:
        step.keep(body, state)
    return status, body


def measure() -> list[tuple[Step, Meter]]:
    from functions.data import dynamo

    fakes, out = start_fakes(), []
    state: State = {}
    meter = Meter().attach(dynamo.client())
    try:
        for step in STEPS:
            run_step(step, state, meter)
            if "mt" in state and "writeback" not in state:
                aid = str(state["mt"]["assignmentId"])  # the provider's id
                state["writeback"] = fakes["mastery"].writeback(aid, [True, True, False])
            if step.measure:
                out.append((step, Meter(meter.requests.copy(), meter.rcu, meter.wcu)))
    finally:
        meter.detach(dynamo.client())
        for fake in fakes.values():
            fake.stop()
    return out


def rows() -> list[Row]:
    from bench.minimums import MINIMUMS
    from functions.routes import ROUTES

    measured = measure()
    seen = {step.route for step, _ in measured}
    out = []
    for step, meter in measured:
        floor = MINIMUMS.get(step.label)
        goal = f"min {floor[0]}: {floor[1]}" if floor else "no minimum recorded"
        ok = floor is not None and meter.total <= floor[0]
        out.append(Row("dynamodb", step.label, f"{meter.calls()} = {meter.total} req, {meter.rcu:g} RCU, "
                       f"{meter.wcu:g} WCU", goal, ok))
    out += [Row("dynamodb", r.name, "not measured: no scenario in bench/scenarios.py", "a scenario", False)
            for r in ROUTES if r.name not in seen]
    return out
