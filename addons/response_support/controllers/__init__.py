from . import main
from . import alerts
from . import portal_activity
