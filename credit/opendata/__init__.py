"""The open data feed: a signed public feed of what the credit record publishes and stops
publishing (publication starts and ends, list entries and exits, repairs, revocations,
corrections, withdrawn commitments), each event a leaf of the transparency log (ADR 0030)."""
