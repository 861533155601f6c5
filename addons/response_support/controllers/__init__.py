from . import main
from . import alerts
from . import portal_activity
from . import portal_knowledge
from . import portal_sla_report
