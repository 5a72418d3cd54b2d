"""The web UI: thin views over tracker.queries and tracker.services."""
