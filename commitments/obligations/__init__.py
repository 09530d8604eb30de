"""Obligations and warnings: each obligation of a signed commitment, its warning ladder,
deadline extensions, performance reports and the sweep that warns and records breaches."""
