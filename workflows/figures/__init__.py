"""Fulfilment figures: how many verified commitments were fulfilled, decided late or rectified,
by kind, matter, department and month (officers' page, CSV, API, the portal's city figures)."""
