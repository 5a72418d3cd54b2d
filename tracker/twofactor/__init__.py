"""Optional TOTP second factor (RFC 6238) for staff logging in through the web form.

`totp.py` is the pure algorithm (standard library only), `models.py` the one device per
user, `services.py` enrolment, verification and reset, `backends.py` the password
backend that keeps enrolled users off every password door except the login form,
`views.py` the code step of the login and the enrolment page.
"""
