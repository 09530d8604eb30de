"""Industry associations: their officers, their member companies, the self-discipline pledges
they issue to members in bulk from a CSV file (row by row, in the background, resumable), and
who of the members signed.
"""
