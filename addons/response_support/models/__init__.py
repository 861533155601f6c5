from . import helpdesk_ticket
from . import helpdesk_ticket_stage
from . import resource_calendar
from . import response_support_catalog
from . import response_support_contract
from . import response_support_priority_matrix
from . import response_support_sla_level
from . import response_support_system
