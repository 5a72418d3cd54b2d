"""The mail gateway: mail in, threading, loops (its own issue)."""
