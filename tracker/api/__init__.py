"""RT REST 2.0 compatible API."""
