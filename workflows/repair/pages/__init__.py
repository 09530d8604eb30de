"""Pages of repair and objections, split by who uses them: ``subject`` (a subject's
representative, mounted at /credit/), ``office`` (the department's officers, mounted at
/regulator/credit/) and ``statistics`` (the city statistics, for supervisors)."""
