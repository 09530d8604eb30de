"""The PostgreSQL fast path of "check every case": the only package that imports psycopg.

``statement``: one check answered and logged by one statement; ``batch``: the checks asked at
the same moment answered by one statement and one durable commit (the API's path).
"""
