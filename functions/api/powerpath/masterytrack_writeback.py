"""POST /powerpath/webhooks/masterytrack (public: authenticated by the body's HMAC signature)"""

from __future__ import annotations

import base64
import re

from functions.api.powerpath.schemas import WritebackOut
from functions.core.errors import Unauthenticated
from functions.platform.clock import utcnow
from functions.platform.http import RouteApp
from functions.providers.masterytrack import SIGNATURE_HEADER, TIMESTAMP_HEADER, read_writeback
from functions.wiring import writeback_service

app = RouteApp("powerpath_masterytrack_writeback", errors=(400, 401, 404, 409, 413, 503))

# The signature headers' shapes, checked before anything else reads them (an overlong timestamp was a 500 in
# int(), a non-ASCII signature one in hmac.compare_digest): Unix seconds, and "sha256=" + hex or a bare hex.
_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")
_SIGNATURE = re.compile(r"^\s*(?:sha256=)?[0-9A-Fa-f]{1,128}\s*$")


def _signed_headers_well_formed(headers: dict[str, str]) -> None:
    timestamp, signature = headers.get(TIMESTAMP_HEADER), headers.get(SIGNATURE_HEADER)
    if timestamp is not None and not _TIMESTAMP.match(timestamp):
        raise Unauthenticated(f"{TIMESTAMP_HEADER} must be Unix seconds (at most 12 digits)")
    if signature is not None and not _SIGNATURE.match(signature):
        raise Unauthenticated(f"{SIGNATURE_HEADER} must be sha256=<hex> (at most 128 hex digits)")


@app
def masterytrack_writeback() -> WritebackOut:
    """MasteryTrack writes a result back: signed with the shared secret (x-masterytrack-timestamp,
    x-masterytrack-signature: sha256=HMAC(secret, timestamp + "." + body)); a bad or missing signature is a
    401 and nothing is stored; a body over 128 KiB is a 413. The same write-back again, or one older than the
    stored one (dateLastModified or scoreDate, then signing time), is answered 200 and changes nothing
    (`stored: false`). The importer processes a stored result at once (docs/powerpath.md)."""
    event = app.resolver.current_event
    _signed_headers_well_formed(app.headers)
    raw = event.body or ""
    body = base64.b64decode(raw) if event.is_base64_encoded else raw.encode("utf-8")
    received = read_writeback(body, app.headers, utcnow())
    assignment, ignored = writeback_service().record(received.result_id, received.writeback.assignment_id,
                                                     received.payload, received.order, received.digest)
    return WritebackOut(assessment_result_sourced_id=received.result_id, writebacks=assignment.writeback_seq,
                        stored=ignored is None, ignored=ignored)


lambda_handler = app.lambda_handler
