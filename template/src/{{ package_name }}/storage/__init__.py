"""SQLAlchemy adapters implementing the domain's repository ports."""
