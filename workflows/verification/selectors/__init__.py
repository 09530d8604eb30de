"""Reads of the verification work for a viewer, one module per list or page."""
