"""Plausible subjects and message bodies for generated tickets."""

from __future__ import annotations

import random

_SUBJECTS = [
    "VPN drops every {n} minutes at site {site}",
    "PROBLEM: HOST router-{site}-{n} is DOWN",
    "Phishing mail reported by {who}",
    "Password reset for {who}",
    "SSH brute force from 203.0.113.{n}",
    "Printer on floor {n} jams",
    "New account request for {who}",
    "Timeout when opening the CRM (case {n})",
    "BGP session flapping with AS645{n}",
    "Malware alert on laptop LT-{n}",
    "Disk almost full on db-{site}-{n}",
    "Certificate expires in {n} days on www.{site}.example",
]
_SENTENCES = [
    "It started this morning and affects the whole team.",
    "We see a timeout after about thirty seconds.",
    "The log shows repeated failures from 198.51.100.{n}.",
    "Could you please have a look as soon as possible?",
    "I restarted the service but the problem came back.",
    "Attached is the output of the last run.",
    "The user confirmed that the issue is resolved for now.",
    "Escalating to the network team for a closer look.",
    "No change since yesterday; still waiting for the vendor.",
    "The mail headers point to a compromised relay at mx.{site}.example.",
    "Please reset the password and send a new one-time link.",
    "Monitoring shows packet loss of {n}% on the uplink.",
]
_SITES = ["ams", "fra", "par", "lon", "nyc", "sfo", "sin", "syd"]
_PEOPLE = ["anna", "li", "tom", "priya", "jonas", "maria", "omar", "yuki"]


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        n=rng.randint(1, 99), site=rng.choice(_SITES), who=rng.choice(_PEOPLE)
    )


def subject_line(rng: random.Random) -> str:
    return _fill(rng.choice(_SUBJECTS), rng)


def message_body(rng: random.Random) -> str:
    """One to five sentences. The loader appends a case reference to one message in
    four (`with_reference`), a word rare enough (one of 90,000) for the selective
    full-text searches people actually run."""
    return " ".join(
        _fill(rng.choice(_SENTENCES), rng) for _ in range(rng.randint(1, 5))
    )


def with_reference(body: str, number: int) -> str:
    """`body` quoting the case reference `number` (10,000 to 99,999)."""
    return f"{body} Our reference is {reference(number)}."


def reference(number: int) -> str:
    """A case reference as it appears in generated messages, e.g. `CASE41234`."""
    return f"CASE{number}"
