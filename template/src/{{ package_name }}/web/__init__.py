"""HTTP adapters. Framework-neutral pieces live here; each framework has a folder."""
