"""What is committed to: versioned commitment templates, their notices and obligation rules."""
