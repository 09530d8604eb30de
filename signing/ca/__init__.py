"""The platform certificate authority: its root, the certificates it issues, the platform's
own keys (timestamping unit and seal) and its revocation list."""
