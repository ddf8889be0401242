"""Every skill of the assistant, imported once so each registers for its intents and
flows (assistant/turns.py): the answers from the catalog, the handoff, and the flows
that act through the other apps' services."""

from assistant import answers, handoff  # noqa: F401
from assistant.flows import bookings, complaints, queue  # noqa: F401
