"""The REST API of the commitments app not yet in a package (obligations, pledges)."""
