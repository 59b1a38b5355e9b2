"""Named guards: conditions a transition needs, each returning the reasons it fails.

A guard takes the engine's Context and returns None (holds), a Reason, or a list of Reasons.
Guards read; they never write. Importing this package registers every guard, one module
per stage.
"""

from openbid.workflow.guards import (  # noqa: F401 - imported to register the guards
    announcement,
    application,
    appointment,
    assessment,
    common,
    documents,
    interview,
    screening,
)
