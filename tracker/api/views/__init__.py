"""REST 2.0 endpoints, one module per kind of record."""
