"""Named actions: side effects a transition runs inside fire()'s transaction.

An action takes the engine's Context; it may write rows and put results in ctx.outputs. If
it raises, fire() rolls the whole transition back.
"""

from __future__ import annotations
