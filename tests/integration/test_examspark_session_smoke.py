from tests.conftest import call
from tests.factories import classroom


def test_start_then_get(table):
    room = classroom()
    started = call("examspark_start_session", {"examConfigId": "exam-course-1"}, as_user="student-course-1",
                   body={"user_id": "student-course-1"})
    assert started.status == 200, started.body
    sid = started.body["examSession"]["id"]
    got = call("examspark_get_session", {"sessionId": sid}, as_user="student-course-1",
               query={"include[]": ["responses", "results"]})
    assert got.status == 200, got.body
    assert got.body["examSession"]["maturity"] == "IN_PROGRESS"
    assert room
