"""Pages of the verification process: regulators, supervisors and the applicant's sign action."""
