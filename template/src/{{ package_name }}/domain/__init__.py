"""The service's domain: entities, the ports they need, and their use cases."""
