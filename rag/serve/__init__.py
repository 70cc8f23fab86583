"""Serving other tools: the HTTP API with an OpenAI-compatible chat endpoint (`app`, with
the protocol mapping in `protocol`)."""
