"""Writes of associations: bulk issue (``issue``), reminders to members (``reminders``)."""
