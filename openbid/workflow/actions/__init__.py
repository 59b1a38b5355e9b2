"""Named actions: side effects a transition runs inside fire()'s transaction.

An action takes the engine's Context; it may write rows and put results in ctx.outputs. If
it raises, fire() rolls the whole transition back. Importing this package registers every
action, one module per stage.
"""

from openbid.workflow.actions import (  # noqa: F401 - imported to register the actions
    announcement,
    application,
    appointment,
    assessment,
    documents,
    interview,
    screening,
)
