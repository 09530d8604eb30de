"""The applicant's pages: the commitment record, drafting, and the subjects one acts for."""
