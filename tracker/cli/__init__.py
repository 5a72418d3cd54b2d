"""`tracker`: a command-line client for the tracker's REST 2.0 API (HTTP only, no models)."""
