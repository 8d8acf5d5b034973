"""Production patterns shared by every adapter: no web framework, no ORM."""
