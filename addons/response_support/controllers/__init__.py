from . import main
from . import alerts
