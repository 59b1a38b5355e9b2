"""Security headers on every response, and per-view limits on body size and request rate.

The pages have no inline script, inline style or event-handler attributes, so the policy
allows only openbid's own files; a QR code may be shown as a ``data:`` image. Nothing may
frame a page (the committee's buttons could otherwise be clicked through a decoy site).

A costly public view declares its limits with ``limit_body`` and ``rate_limit``; they are
applied before any other hook reads the body (CSRF protection parses the form), so an
oversized or excess upload is refused without being read. Requests are counted in the
database (``RateLimitHit``), so a limit holds across gunicorn workers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from math import ceil
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, current_app, render_template, request
from flask_babel import gettext as _

from openbid import clock
from openbid.extensions import db
from openbid.models.rate_limit import RateLimitHit

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HSTS_MAX_AGE = 365 * 24 * 60 * 60  # one year, the minimum browsers' preload lists accept
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # for browsers that ignore frame-ancestors
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def add_security_headers(response: Response) -> Response:
    """Add the security headers a view has not set itself; HSTS when cookies are secure."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    # Secure cookies mean the site is served over HTTPS only: tell browsers never to try HTTP.
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault(
            "Strict-Transport-Security", f"max-age={HSTS_MAX_AGE}; includeSubDomains"
        )
    return response


@dataclass(frozen=True)
class RateLimit:
    """At most ``default`` requests (or config ``config_key``) per ``window`` and address."""

    bucket: str
    config_key: str
    default: int
    window: timedelta
    methods: frozenset[str]


HIT_RETENTION = timedelta(hours=1)  # longer than any window; older rows are pruned


def limit_body(config_key: str, default: int) -> Callable[[Callable], Callable]:
    """Decorate a view: its request bodies may be at most config[config_key] bytes.

    The app-wide MAX_CONTENT_LENGTH still applies when it is lower.
    """

    def decorator(view: Callable) -> Callable:
        view.openbid_body_limit = (config_key, default)  # type: ignore[attr-defined]
        return view

    return decorator


def rate_limit(
    bucket: str,
    config_key: str,
    default: int,
    window: timedelta = timedelta(minutes=1),
    methods: tuple[str, ...] = ("POST",),
) -> Callable[[Callable], Callable]:
    """Decorate a view: at most config[config_key] requests per window and client address."""
    limit = RateLimit(bucket, config_key, default, window, frozenset(methods))

    def decorator(view: Callable) -> Callable:
        view.openbid_rate_limit = limit  # type: ignore[attr-defined]
        return view

    return decorator


def seconds_to_wait(limit: RateLimit, remote_addr: str, maximum: int) -> int | None:
    """Count one request of remote_addr; return the seconds to wait instead when over the limit.

    A refused request is not counted, so waiting the time said is always enough. Commits.
    """
    now = clock.now()
    count, oldest = db.session.execute(
        sa.select(sa.func.count(RateLimitHit.id), sa.func.min(RateLimitHit.hit_at)).where(
            RateLimitHit.bucket == limit.bucket,
            RateLimitHit.remote_addr == remote_addr,
            RateLimitHit.hit_at >= now - limit.window,
        )
    ).one()
    if count >= maximum:
        oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=now.tzinfo)
        return max(1, ceil((oldest + limit.window - now).total_seconds()))
    db.session.execute(sa.delete(RateLimitHit).where(RateLimitHit.hit_at < now - HIT_RETENTION))
    db.session.add(RateLimitHit(bucket=limit.bucket, remote_addr=remote_addr, hit_at=now))
    db.session.commit()
    return None


def _apply_view_limits() -> Any:
    """Set the view's body limit and refuse a request over its rate limit (429, Retry-After)."""
    view = current_app.view_functions.get(request.endpoint or "")
    body_limit = getattr(view, "openbid_body_limit", None)
    if body_limit is not None:
        key, default = body_limit
        limit = int(current_app.config.get(key, default))
        app_limit = current_app.config.get("MAX_CONTENT_LENGTH")
        request.max_content_length = min(limit, app_limit) if app_limit else limit
    rate: RateLimit | None = getattr(view, "openbid_rate_limit", None)
    if rate is None or request.method not in rate.methods:
        return None
    maximum = int(current_app.config.get(rate.config_key, rate.default))
    wait = seconds_to_wait(rate, (request.remote_addr or "unknown")[:64], maximum)
    if wait is None:
        return None
    message = _(
        "Too many requests from your address: wait %(seconds)d seconds, then try again.",
        seconds=wait,
    )
    page = render_template("errors/error.html", status=429, message=message, details=[])
    return page, 429, {"Retry-After": str(wait)}


def init_app(app: Flask) -> None:
    """Add the security headers to every response; apply views' body and rate limits.

    Call before CSRF protection is set up: its hook reads the body, which must be limited first.
    """
    app.before_request(_apply_view_limits)
    app.after_request(add_security_headers)
