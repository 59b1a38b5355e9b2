"""Log-in, log-out and the role gates every area uses."""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import Flask, abort
from flask_babel import lazy_gettext
from flask_login import current_user

from openbid.auth.views import bp
from openbid.extensions import login_manager
from openbid.models import Role
from openbid.stages import accounts

__all__ = ["bp", "init_app", "require_roles", "roles_required"]


def init_app(app: Flask) -> None:
    """Bind Flask-Login: where to send anonymous users and how to load a user."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please log in to see this page.")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "strong"

    # A cookie logs its user in only while its session generation is current.
    login_manager.user_loader(accounts.session_user)


def require_roles(*roles: Role) -> None:
    """Abort unless the current user is logged in with one of roles (for before_request).

    :raises Unauthorized: (via Flask-Login) when nobody is logged in.
    :raises Forbidden: 403 when the role is not among roles.
    """
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if current_user.role not in roles:
        abort(403)


def roles_required(*roles: Role) -> Any:
    """Decorate a view so only the given roles reach it."""

    def decorator(view: Any) -> Any:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
