"""Jinja extensions loaded by copier.yml through copier-template-extensions."""
