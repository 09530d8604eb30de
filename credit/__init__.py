"""Credit records: breaches, the rule sets that govern their publicity, the consequences that
follow from them (measures, lists, grades) and the queries other systems make about a subject.

This app imports no sibling app; it refers to subjects, commitments and matters only by
string foreign keys and by primary key, so the commitment domain orchestrates it.
"""
