"""Links and redirects are built from the configured API base URL (EXAMDESK_API_BASE_URL), never from the
request's Host / X-Forwarded-* headers (issue 17, point 7): every route that answers a link, with a forged
Host, on moto."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from functions.platform import settings
from tests.conftest import call
from tests.security import world as w
from tests.security.matrix import ROWS, exam_number

BASE = "https://api.examdesk.test/v2"
FORGED = {"Host": "evil.example", "X-Forwarded-Proto": "gopher", "X-Forwarded-Host": "evil.example",
          "Forwarded": "host=evil.example;proto=gopher"}


@pytest.fixture(scope="module")
def world() -> Iterator[w.World]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(settings.API_BASE_URL, BASE)
        settings.settings.cache_clear()
        with w.moto_world({row.lacks for row in ROWS}) as built:
            yield built
    settings.settings.cache_clear()


def links(answer) -> list[str]:
    found = [answer.headers["Link"].split(";")[0].strip("<>")] if "Link" in answer.headers else []
    if isinstance(answer.body, dict):
        found += [answer.body[k] for k in ("next", "previous") if answer.body.get(k)]
    return found


def test_pagination_links_use_the_configured_base_url_whatever_the_host_header(world):
    edx = {"course_id": w.ALPHA}
    answers = {
        "openedx_list_course_allowances": call("openedx_list_course_allowances", edx, as_user=w.ADMIN,
                                               query={"page_size": ["1"]}, headers=FORGED),
        "openedx_list_course_attempts": call("openedx_list_course_attempts", edx, as_user=w.ADMIN,
                                             query={"page_size": ["1"], "page": ["2"]}, headers=FORGED),
        "openedx_list_exam_attempts": call("openedx_list_exam_attempts", {**edx, "exam_id": exam_number(w.DONE)},
                                           as_user=w.ADMIN, query={"page_size": ["1"]}, headers=FORGED),
        "canvas_list_course_extensions": call("canvas_list_course_extensions", edx, as_user=w.ADMIN,
                                              query={"per_page": ["1"]}, headers=FORGED),
    }
    for name, answer in answers.items():
        found = links(answer)
        text = json.dumps(answer.body) + json.dumps(answer.headers)
        assert answer.status == 200 and found, f"{name}: {answer.status} {text}"
        for link in found:
            assert link.startswith(f"{BASE}/"), f"{name}: {link}"
        assert "evil" not in text and "gopher" not in text, f"{name}: {text}"
