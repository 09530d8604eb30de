"""What the outbox tells the apps above it: a message was delivered.

``outbox_sent`` is sent inside the transaction that marks messages ``sent`` (sender: the
``OutboxMessage`` class, ``messages``: the rows sent in it, one or a webhook batch), so a
receiver's write commits with them or not at all. Apps above ``notifications``
(``credit.changes``) connect to it instead of being imported here.
"""

from django.dispatch import Signal

outbox_sent = Signal()
