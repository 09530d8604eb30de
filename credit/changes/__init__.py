"""What changed in a credit record and who must hear of it (record change notices)."""
