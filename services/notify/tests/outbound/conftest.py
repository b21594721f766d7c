"""The outbound side's fixtures: notify on real servers with a real SMTP server
(``outbound_world``) and a real webhook receiver (``webhook_receiver``)."""

from .outbound_world import world  # noqa: F401
from .webhook_receiver import receiver  # noqa: F401
