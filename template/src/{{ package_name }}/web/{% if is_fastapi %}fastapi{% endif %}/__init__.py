"""The FastAPI adapter: app factory, dependencies, error handlers, routes."""
