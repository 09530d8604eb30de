"""Writes of the open data feed, one module per responsibility: the events (``events``), the
seal's signatures over what is served (``signatures``) and the daily CSV files (``days``)."""
