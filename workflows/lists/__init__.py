"""What the officers' lists share: sortable columns, filters remembered per user, urgency
marks in working days, CSV exports (ADR 0018)."""
