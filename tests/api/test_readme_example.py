"""The README's worked example (Python + requests) runs: it drives a selection from draft to
the decree through the API, here against the test app through a requests adapter and on a
simulated clock.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from openbid import demo, demo_flow
from openbid.rules.eligibility import REQUIRED_DOCUMENTS
from tests.api.test_flow import _profile_body

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(
    r"<!-- api-example:start -->\n```python\n(.*?)```\n<!-- api-example:end -->", re.S
)
CANDIDATES = ("kandidat01", "kandidat02", "kandidat03")  # the demo's, all eligible


class WsgiAdapter(requests.adapters.BaseAdapter):
    """Send requests' requests to the Flask test client instead of the network."""

    def __init__(self, client) -> None:
        super().__init__()
        self.client = client

    def send(self, request, **kwargs):
        url = urlsplit(request.url)
        answer = self.client.open(
            url.path + (f"?{url.query}" if url.query else ""),
            method=request.method,
            headers=dict(request.headers),
            data=request.body,
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.get_data()
        response.url, response.request, response.encoding = request.url, request, "utf-8"
        return response

    def close(self) -> None:
        pass


def _people() -> dict:
    committee = [
        {
            "email": demo._email(local),
            "committee_role": str(role),
            "is_internal": internal,
            "position_title": title,
            "institution": institution,
            "position_level": int(level),
        }
        for local, _name, role, internal, title, institution, level in demo.COMMITTEE
    ]
    scores = {}
    for local in CANDIDATES:
        score, paper, track = demo_flow.RESULTS[local]
        scores[demo._email(local)] = {
            "assessment": {
                "score": float(score),
                "category": "memenuhi_syarat",
                "assessed_on": "2018-12-04",
                "centre": "UPT Penilaian Kompetensi BKD Provinsi Banten",
            },
            "paper": {"score": float(paper)},
            "track_record": {"score": float(track)},
            "health": {"fit": True},
            "psych": {"fit": True},
        }
    return {
        "password": demo.PASSWORD,
        "secretariat": demo._email("lutfi"),
        "ppk": demo._email("walikota"),
        "committee": committee,
        "selection": {
            "title": "Seleksi Terbuka JPT Pratama (contoh API)",
            "start_date": "2018-11-19",
        },
        "post": {"name": demo.POSITIONS[0][0], "unit": demo.POSITIONS[0][1]},
        "gate": "kasn_recommendation",
        "letter_date": "2018-11-15",
        "result_date": "2018-12-06",
        "documents": list(REQUIRED_DOCUMENTS),
        "scores": scores,
        "interview": {demo._email(local): demo_flow.INTERVIEW_BASE[local] for local in CANDIDATES},
    }


def test_the_readme_example_drives_a_selection_to_its_decree(app, client) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # The example is about the API, not the database; tests/api/test_flow.py walks the
        # same operations in the PostgreSQL pass.
        pytest.skip("the README example runs in the SQLite pass")
    demo.load()
    namespace: dict = {}
    exec(compile(BLOCK.search(README.read_text()).group(1), "README.md", "exec"), namespace)  # noqa: S102
    session = requests.Session()
    session.mount("http://openbid.test", WsgiAdapter(client))
    nips = {local: nip for local, _name, nip in demo.CANDIDATES}
    profiles = {
        demo._email(local): _profile_body(local, nips[local], 0, demo_flow.APPLICANTS[local][1])
        for local in CANDIDATES
    }
    with demo_flow.simulated_clock(date(2018, 11, 19)) as fake:

        def wait_until(moment: datetime) -> None:
            fake.moment = max(fake.moment, moment + timedelta(hours=9))

        decree = namespace["walkthrough"](
            "http://openbid.test", _people(), profiles, demo_flow._pdf, wait_until, session
        )
    assert decree["number"] and decree["verification_code"]
