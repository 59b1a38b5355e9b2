"""Documents: render templates to PDF, QR codes, PAdES signing and number formatting.

No Flask and no database here: callers build a plain context (see ``contexts``) and get
bytes back. Import the submodules: ``render``, ``qr``, ``signing``, ``numbering``.
"""
