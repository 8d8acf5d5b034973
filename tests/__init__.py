"""Generator tests of the Copier template."""
