"""Template tags of the regulator workspace."""
