"""The REST API of a commitment's life (version 1).

Each endpoint parses its input, calls one service or selector and shapes the answer; the
rules are the ones the pages obey because they live in ``services`` and ``selectors``.
Every refusal has one JSON shape, ``{"code", "message", "fields"}`` (``config.api_errors``),
so a client parses one thing whether the serializer or the domain said no.
"""
