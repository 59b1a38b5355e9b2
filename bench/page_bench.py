"""The screening page at 1,000 applications against the same page at 10 (issue #12 item 5)."""

from __future__ import annotations

import http.client
import re
import statistics
import time
from typing import Any
from urllib.parse import urlencode

from bench.bench_data import built_app, clone_applications
from bench.serving import database, gunicorn, request, result
from openbid.extensions import db


def _page_time(port: int, path: str, cookie: str, runs: int = 9) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        status, _body = request(port, "GET", path, headers={"Cookie": cookie})
        times.append(time.perf_counter() - start)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
    return statistics.median(times) * 1000


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> dict[str, str]:
    for header in response.msg.get_all("Set-Cookie") or []:
        name, _, value = header.split(";")[0].partition("=")
        jar[name.strip()] = value
    return jar


def _login_cookie(port: int, email: str, password: str) -> str:
    """Log in through the form; return the Cookie header of the logged-in session."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/auth/login")
    response = conn.getresponse()
    html = response.read().decode()
    jar = _cookies(response, {})
    conn.close()
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    form = urlencode({"email": email, "password": password, "csrf_token": csrf})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    conn.request("POST", "/auth/login", form, headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    jar = _cookies(response, jar)
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def measure_screening_page_1000() -> dict[str, Any]:
    """The screening page's server time at 1,000 applications; floor: the same page at 10."""
    from tests.factories import PASSWORD, make_agency
    from tests.stage_factories import selection_in_screening

    with database() as (url, folder):
        with built_app(url, folder):
            agency = make_agency()
            small = selection_in_screening(agency, positions=2, per_post=5)
            large = selection_in_screening(agency, positions=2, per_post=4)
            large.selection.created_by_id = small.secretariat.id
            clone_applications(large, 1000)
            email, paths = (
                small.secretariat.email,
                [
                    f"/selections/{small.selection.id}/screening",
                    f"/selections/{large.selection.id}/screening",
                ],
            )
            db.session.commit()
        with gunicorn(url, folder) as port:
            cookie = _login_cookie(port, email, PASSWORD)
            floor = _page_time(port, paths[0], cookie)
            value = _page_time(port, paths[1], cookie)
    return result("screening_page_1000", value, "ms", floor, "<=200ms", value <= 200)
