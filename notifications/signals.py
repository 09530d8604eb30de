"""What the outbox tells the apps above it: a message was delivered.

``outbox_sent`` is sent inside the transaction that marks the message ``sent`` (sender: the
``OutboxMessage`` class, ``message``: the row), so a receiver's write commits with it or not
at all. Apps above ``notifications`` (``credit.changes``) connect to it instead of being
imported here.
"""

from django.dispatch import Signal

outbox_sent = Signal()
