"""`python -m mailgate.pipe --queue NAME --action correspond`: the mailgate command with
a guard around Django's start-up too.

`manage.py mailgate` can only guard what happens once the command runs; a broken
setting or import while Django starts would end in a traceback and exit 1, which the
mail server treats as a permanent failure and bounces. Run from /etc/aliases through
this module, every failure before the message is stored exits 75 (EX_TEMPFAIL) with
one line, so the mail server keeps the message and retries. The Django-free paths of
mailgate.fastpath (`--url`, the spool) answer first, as from manage.py.
"""

from __future__ import annotations

import os
import sys

EX_TEMPFAIL = 75


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    from mailgate.fastpath import dispatch

    code = dispatch(args)
    if code is not None:
        return code
    try:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
        import django
        from django.core.management import call_command

        django.setup()
        call_command("mailgate", *args)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EX_TEMPFAIL
    except BaseException as exc:  # noqa: BLE001 - the process boundary
        text = " ".join(str(exc).split()) or type(exc).__name__
        sys.stderr.write(f"4.3.0 mailgate cannot start: {text[:400]}\n")
        return EX_TEMPFAIL
    return 0


if __name__ == "__main__":
    sys.exit(main())
