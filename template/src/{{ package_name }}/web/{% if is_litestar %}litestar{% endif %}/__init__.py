"""The Litestar adapter: app factory, dependencies, error handlers, controllers."""
