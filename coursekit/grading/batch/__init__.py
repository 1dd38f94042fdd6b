"""A class graded at once: what to grade, serially, on many processes or a Dask cluster."""
