"""Security headers on every response: what a browser may load, frame, sniff and refer.

The pages have no inline script, inline style or event-handler attributes, so the policy
allows only openbid's own files; a QR code may be shown as a ``data:`` image. Nothing may
frame a page (the committee's buttons could otherwise be clicked through a decoy site).
"""

from __future__ import annotations

from flask import Flask, Response, current_app

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


def init_app(app: Flask) -> None:
    """Add the security headers to every response of app."""
    app.after_request(add_security_headers)
