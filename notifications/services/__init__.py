"""Writes of the notifications app: the inbox, the outbox, and delivery to the channels."""
