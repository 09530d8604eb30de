"""Signals of the credit record, for the capabilities above it (which the record cannot import).

``repair_notice_issued`` is sent when a breach's repair notice is written, inside the
decision's transaction (``notice`` is the new row). Its receivers only schedule work after the
commit (``credit.reports`` seals the notice's PDF); they write nothing in the transaction.
"""

from django.dispatch import Signal

repair_notice_issued = Signal()
