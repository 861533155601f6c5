from . import main
from . import alerts
from . import portal_activity
from . import portal_knowledge
