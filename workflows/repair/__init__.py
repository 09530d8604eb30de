"""Credit repair and objections: the cases, their processes with every statutory time limit,
the subject's and the officer's pages, the API and the city statistics."""
