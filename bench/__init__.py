"""`make bench`: the tracker's benchmark suite, optionally side by side with RT 5.

Run with `python -m bench` (see `bench.__main__`). It builds its own PostgreSQL database
(`tracker_bench`), starts real gunicorn, Celery worker and LMTP processes and an aiosmtpd
sink, measures, and writes `var/bench/<timestamp>.json` and `.md`.
"""
