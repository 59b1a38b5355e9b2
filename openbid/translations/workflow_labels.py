"""Labels of the workflow definitions (workflows/*.yaml), marked for `pybabel extract`.

The views translate state and transition labels at run time (`_(state.label)`), but babel.cfg
reads no YAML: without these marks `make extract-messages` (pybabel update --ignore-obsolete)
would drop their translations. tests/test_translations.py fails when a label of an installed
definition is missing from the extracted messages. Delete this file once babel.cfg extracts
the YAML labels itself. Never imported; only read by the extractor.
"""

from openbid.rules.reasons import N_

SELECTION_STATES = (
    N_("Draft"),
    N_("Awaiting oversight approval"),
    N_("Announcement and registration"),
    N_("Administrative screening"),
    N_("Competency assessment"),
    N_("Interview"),
    N_("Appointment"),
    N_("Completed"),
    N_("Cancelled"),
)

SELECTION_TRANSITIONS = (
    N_("Send the plan to BKN for its technical consideration"),
    N_("Return the plan to draft for revision"),
    N_("Publish the announcement and open registration"),
    N_("Extend registration for the posts short of applicants"),
    N_("Drop a post that is still short of applicants"),
    N_("Close registration and start administrative screening"),
    N_("Close administrative screening"),
    N_("Close competency assessment"),
    N_("Close the interviews and rank the candidates"),
    N_("Issue the appointment decree"),
    N_("Cancel the selection"),
    N_("Send the plan to KASN for its recommendation"),
)

APPLICATION_STATES = (
    N_("Being prepared"),
    N_("Submitted"),
    N_("Withdrawn"),
    N_("Passed administrative screening"),
    N_("Did not pass administrative screening"),
    N_("Eliminated"),
    N_("Among the three best"),
    N_("Not among the three best"),
    N_("Appointed"),
    N_("Not appointed"),
    N_("Closed (post dropped or selection cancelled)"),
)

APPLICATION_TRANSITIONS = (
    N_("Submit the application"),
    N_("Withdraw the application"),
    N_("Passes administrative screening"),
    N_("Fails administrative screening"),
    N_("Revise the screening verdict to pass"),
    N_("Eliminate from the selection"),
    N_("Place among the three best"),
    N_("Not among the three best"),
    N_("Appoint"),
    N_("Not appointed"),
    N_("Close the application (post dropped or selection cancelled)"),
)
