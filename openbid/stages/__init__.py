"""The stages of a selection, one package each: the guards and actions its definitions name.

The workflow engine (openbid.workflow) knows no stage: it looks guards and actions up by name
in its registries. Importing this package registers every stage's names; create_app does so
before it loads the definitions, so an unknown name still fails start-up.

Guards take the engine's Context and return None (holds), a Reason, or a list of Reasons;
they read and never write. Actions take the Context, may write rows and put results in
ctx.outputs; if one raises, fire() rolls the whole transition back.

Stage packages do not import each other (import-linter checks it); what several stages share
lives in ``common`` and ``documents`` or below the stages.
"""

from openbid.stages import (  # noqa: F401 - imported to register every stage's names
    announcement,
    applications,
    appointment,
    assessment,
    common,
    documents,
    interview,
    oversight,
    screening,
)
