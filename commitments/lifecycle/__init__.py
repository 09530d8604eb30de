"""A commitment's life: draft, preview, sign, withdraw, verification record, evidence, the
public register's events and signing requests; the applicant's pages and API."""
