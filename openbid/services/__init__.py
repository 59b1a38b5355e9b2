"""Business operations the views, the CLI, the demo and the API share.

Each validates first, then writes inside one transaction with its audit event; state
changes are delegated to the workflow engine.
"""
