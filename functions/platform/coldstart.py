"""No cyclic garbage collection while a route's modules load in a Lambda cold start.

Importing a route allocates some hundred thousand objects (pydantic models, Powertools, botocore) and none of them is
garbage; the collector still walks the growing heap again and again while they load: about 65 ms of CPU of a route's
import on the benchmark machine, 7% of a cold start (docs/performance.md, "A cold request"). ``functions/api``'s
package pauses it before any route module loads, and RouteApp resumes it once the route is registered (the last
line of every route module), freezing what was loaded: those objects live as long as the process and are never
scanned again (``gc.freeze``, Python's advice for long-lived heaps). Only in Lambda: tests, the local runner and
the CDK app import routes in processes with other lives.
"""

from __future__ import annotations

import gc
import os

_paused = False


def pause_gc() -> None:
    global _paused
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME") and gc.isenabled():
        gc.disable()
        _paused = True


def resume_gc() -> None:
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
