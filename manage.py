#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "mailgate":
        # The MTA runs this once per message: the --url client and the spool path
        # answer without starting Django (see mailgate/fastpath.py).
        from mailgate.fastpath import dispatch

        code = dispatch(sys.argv[2:])
        if code is not None:
            sys.exit(code)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
