"""API test helpers: a token per user."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD


class Api:
    """Call /api/v1 as one user with their bearer token."""

    def __init__(self, client, token: str | None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _headers(self, extra: dict | None) -> dict:
        return {**self.headers, **(extra or {})}

    def get(self, path: str, headers: dict | None = None, **kwargs):
        return self.client.get(f"/api/v1{path}", headers=self._headers(headers), **kwargs)

    def post(self, path: str, json=None, headers: dict | None = None, **kwargs):
        return self.client.post(
            f"/api/v1{path}", headers=self._headers(headers), json=json, **kwargs
        )

    def put(self, path: str, json=None, headers: dict | None = None, **kwargs):
        return self.client.put(
            f"/api/v1{path}", headers=self._headers(headers), json=json, **kwargs
        )

    def delete(self, path: str, headers: dict | None = None, **kwargs):
        return self.client.delete(f"/api/v1{path}", headers=self._headers(headers), **kwargs)


@pytest.fixture
def api_as(client):
    """Return a function user -> Api logged in with a fresh token."""

    def login(user, password: str = PASSWORD) -> Api:
        response = client.post("/api/v1/tokens", json={"email": user.email, "password": password})
        assert response.status_code == 201, response.get_json()
        return Api(client, response.get_json()["token"])

    return login
