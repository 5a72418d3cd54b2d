"""Bringing an existing Request Tracker (4.4 or 5) installation across: `import_rt`."""
