"""The public portal and the public verification pages: read-only, no login."""
