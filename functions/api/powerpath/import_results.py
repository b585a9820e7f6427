"""GET /powerpath/importExternalTestAssignmentResults"""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit

from functions.api.powerpath.params import ApplicationName, LessonId, Student
from functions.api.powerpath.schemas import ImportOut, import_out
from functions.core.errors import ProviderFailed
from functions.platform.http import RouteApp
from functions.platform.observability import metrics
from functions.wiring import external_test_service

app = RouteApp("powerpath_import_results", errors=(400, 401, 404, 409, 502, 503))


@app
def import_external_test_assignment_results(
    student: Student, lesson: LessonId, applicationName: ApplicationName = None,
) -> ImportOut:
    """Import the latest attempt's results now (the scheduled importer does the same for every pending one).
    Idempotent: a finalized lesson is a no-op. A placement or test-out that becomes final may enroll the
    student in the subject track's course (unless the assignment skipped it). A failed import is recorded
    (importStatus) and answered 502; after repeated failures it is parked, and answered as it is."""
    try:
        assignment, _ = external_test_service(app).import_now(student, lesson)
    except ProviderFailed as error:  # recorded on the assignment: counted where the importer's are alarmed
        metrics.add_metric(name="ImportFailed", unit=MetricUnit.Count, value=1)
        if (error.details or {}).get("parked"):
            metrics.add_metric(name="ImportParked", unit=MetricUnit.Count, value=1)
        raise
    return import_out(assignment)


lambda_handler = app.lambda_handler
