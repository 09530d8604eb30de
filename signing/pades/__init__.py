"""The pyHanko adapter: sign a PDF (PAdES), seal it, renew its archive, validate it.

Only ``signing`` imports pyHanko. Callers pass and receive bytes and small frozen
dataclasses, and catch ``signing.errors.SigningError``; no pyHanko exception or object
crosses the boundary.
"""
