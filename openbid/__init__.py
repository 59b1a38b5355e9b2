"""openbid: open, competitive selections for JPT Pratama posts as auditable workflows.

The application factory is ``openbid.app.create_app`` (``wsgi.py`` calls it). This package
imports nothing itself, so importing a low layer (``openbid.rules``) stays light.
"""
