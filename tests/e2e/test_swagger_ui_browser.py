"""Swagger UI at /docs works with no internet access: headless Chromium (Debian's ``chromium``), cut off from
every host but the local runner, renders the page and lists the API's operations. The page's scripts and
styles are the copies Powertools ships inside its package, served by the runner under /docs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile

import pytest

from functions.routes import ROUTES
from infra.local import openapi

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

BROWSER_SECONDS = 90  # a cold headless start on a busy 2-core machine takes a few seconds; never hang the suite
OFFLINE = [
    # Every name resolves to nothing, except the runner's address; and anything not on loopback goes to a proxy
    # that does not exist. A page that needed a CDN would stay blank.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("Chromium is not installed (Debian package `chromium`; scripts/setup.sh installs it when "
                    "run as root with apt-get available)")
    return found


def rendered_dom(url: str) -> str:
    """The DOM after the page's scripts ran (virtual time lets them finish without a fixed sleep)."""
    with tempfile.TemporaryDirectory(prefix="examdesk-chromium-") as profile:
        command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--no-first-run", "--disable-extensions", "--disable-background-networking",
                   f"--user-data-dir={profile}", *OFFLINE, "--virtual-time-budget=20000", "--dump-dom", url]
        done = subprocess.run(command, capture_output=True, text=True, timeout=BROWSER_SECONDS,
                              env={**os.environ, "HOME": profile}, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_page_references_only_its_own_origin(api):
    page = api.request("GET", "/docs")
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/docs/") for s in sources), sources
    for path in openapi.ASSETS:
        asset = api.request("GET", path)
        assert asset.status_code == 200 and asset.text, path
    assert "SwaggerUIBundle" in api.request("GET", "/docs/swagger-ui-bundle.min.js").text


def test_swagger_ui_lists_the_operations_in_a_browser_without_network(api):
    dom = rendered_dom(f"{api.base}/docs")
    operations = re.findall(r'class="opblock opblock-(?:get|post|put|patch|delete)', dom)
    assert len(operations) == len(ROUTES), dom[:2000]
    for path in ("/api/v1/courses/{course_id}/quizzes/{quiz_id}", "/api/exam-sessions", "/authoring/courses"):
        assert f'data-path="{path}"' in dom or path in dom, path
