"""The web console: server-rendered pages over the same domain functions the API routes call."""
