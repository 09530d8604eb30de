"""The register: an append-only transparency log of salted event hashes (RFC 9162 style),
its signed checkpoints, and receipts anyone can verify offline with the platform root."""
