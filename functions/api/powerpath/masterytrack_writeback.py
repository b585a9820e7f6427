"""POST /powerpath/webhooks/masterytrack (public: authenticated by the body's HMAC signature)"""

from __future__ import annotations

import base64

from functions.api.powerpath.schemas import WritebackOut
from functions.api.wiring import writeback_service
from functions.platform.clock import utcnow
from functions.platform.http import RouteApp
from functions.providers.masterytrack import read_writeback

app = RouteApp("powerpath_masterytrack_writeback", errors=(400, 401, 404, 409, 503))


@app
def masterytrack_writeback() -> WritebackOut:
    """MasteryTrack writes a result back: signed with the shared secret (x-masterytrack-timestamp,
    x-masterytrack-signature: sha256=HMAC(secret, timestamp + "." + body)); a bad or missing signature is a
    401 and nothing is stored. The importer processes the stored result at once (docs/powerpath.md)."""
    event = app.resolver.current_event
    raw = event.body or ""
    body = base64.b64decode(raw) if event.is_base64_encoded else raw.encode("utf-8")
    writeback = read_writeback(body, app.headers, utcnow())
    stored = writeback_service().record(writeback.assessment_result_sourced_id, writeback.assignment_id,
                                        writeback.model_dump(mode="json", by_alias=True, exclude_none=True))
    return WritebackOut(assessment_result_sourced_id=writeback.assessment_result_sourced_id,
                        writebacks=stored.writeback_seq)


lambda_handler = app.lambda_handler
