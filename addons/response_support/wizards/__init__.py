from . import response_support_phone_intake
from . import response_support_ticket_escalate
from . import response_support_ticket_reassign
from . import response_support_alert_triage
from . import response_support_ticket_dispatch
from . import response_support_priority_matrix_grid
