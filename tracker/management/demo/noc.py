"""The NOC's queue: monitoring alerts, outages, circuits and planned work."""

from __future__ import annotations

from tracker.management.demo.script import (
    Comment,
    Later,
    Link,
    Priority,
    Reply,
    SetCf,
    Status,
    Story,
    Take,
    Watch,
    Work,
)

Q = "connectivity"
NAGIOS = "nagios"


def nagios_alert(kind: str, host: str, state: str, address: str, info: str) -> str:
    return (
        "***** Nagios *****\n\n"
        f"Notification Type: {kind}\n\n"
        f"Host: {host}\n"
        f"State: {state}\n"
        f"Address: {address}\n"
        f"Info: {info}\n"
    )


SCENARIO: list[Story | Later] = [
    Story(
        key="ams-down",
        queue=Q,
        subject="PROBLEM: HOST router-ams-1 is DOWN",
        creator=NAGIOS,
        body=nagios_alert(
            "PROBLEM",
            "router-ams-1",
            "DOWN",
            "192.0.2.1",
            "CRITICAL - Host Unreachable (192.0.2.1)",
        ),
        steps=[
            Take("bob"),
            Status("bob", "open"),
            SetCf("bob", "Site", "Amsterdam AMS1"),
            Priority("bob", 70),
            Comment(
                "bob",
                "Console unreachable too. Remote hands at AMS1 dispatched to check power.",
                minutes=15,
            ),
            Reply(
                NAGIOS,
                nagios_alert(
                    "RECOVERY",
                    "router-ams-1",
                    "UP",
                    "192.0.2.1",
                    "PING OK - Packet loss = 0%, RTA = 0.61 ms",
                ),
            ),
            Comment(
                "bob",
                "Router came back after remote hands reseated line card 3; the card "
                "logs parity errors. Replacement tracked separately.",
                minutes=20,
            ),
            Status("bob", "resolved"),
        ],
    ),
    Story(
        key="rma",
        queue=Q,
        subject="RMA: replacement line card for router-ams-1",
        creator="bob",
        body=(
            "Vendor case opened for line card 3 in router-ams-1 (serial JAE1234ABCD), "
            "parity errors after the outage of today. Next-business-day replacement."
        ),
        steps=[
            SetCf("bob", "Site", "Amsterdam AMS1"),
            Take("bob"),
            Status("bob", "open"),
            Comment("bob", "Vendor asks for 'show tech' output; sent.", minutes=10),
            Status("bob", "stalled"),
        ],
    ),
    Story(
        key="linecard",
        queue=Q,
        subject="Replace failed line card in router-ams-1",
        creator="bob",
        body=(
            "Swap line card 3 once the RMA part arrives. Needs a 30-minute "
            "maintenance window; traffic fails over to router-ams-2."
        ),
        steps=[
            SetCf("bob", "Site", "Amsterdam AMS1"),
            Link("bob", "DependsOn", "rma"),
            Link("bob", "RefersTo", "ams-down"),
            Take("alice"),
            Status("alice", "open"),
        ],
    ),
    Story(
        queue=Q,
        subject="BGP session flapping with AS64500 on edge-fra-2",
        creator="carol",
        body=(
            "The eBGP session to our transit AS64500 on edge-fra-2 flaps every few "
            "minutes since 06:10 UTC:\n"
            "%BGP-5-ADJCHANGE: neighbor 198.51.100.1 Down BGP Notification sent\n"
            "%BGP-3-NOTIFICATION: sent to neighbor 198.51.100.1 4/0 (hold time expired)"
        ),
        steps=[
            Take("carol"),
            Status("carol", "open"),
            SetCf("carol", "Site", "Frankfurt FRA2"),
            SetCf("carol", "Circuit ID", "FRA-2231"),
            Priority("carol", 60),
            Watch("carol", "Cc", "noc@transit.example"),
            Reply(
                "carol",
                "Dear AS64500 NOC, our session on circuit FRA-2231 drops with hold "
                "timer expiry every 3-5 minutes. Light levels on our side are -9 dBm. "
                "Could you check your side?",
                minutes=15,
            ),
            Comment(
                "carol",
                "Provider called back: dirty patch on their ODF, cleaned at 09:40. "
                "Session stable for 2 hours now.",
                minutes=10,
            ),
            Status("carol", "resolved"),
        ],
    ),
    Story(
        queue=Q,
        subject="PROBLEM: SERVICE PING on core-lon-1 is WARNING",
        creator=NAGIOS,
        body=nagios_alert(
            "PROBLEM",
            "core-lon-1",
            "WARNING",
            "192.0.2.17",
            "PING WARNING - Packet loss = 20%, RTA = 84.12 ms",
        ),
        steps=[
            Reply(
                NAGIOS,
                nagios_alert(
                    "RECOVERY",
                    "core-lon-1",
                    "OK",
                    "192.0.2.17",
                    "PING OK - Packet loss = 0%, RTA = 11.02 ms",
                ),
            ),
            Take("alice"),
            Comment(
                "alice",
                "Short congestion on the LON-AMS wave during the backup window.",
                minutes=5,
            ),
            Status("alice", "resolved"),
        ],
    ),
    Story(
        key="switch-down",
        queue=Q,
        subject="PROBLEM: HOST switch-acc-3-12 is DOWN",
        creator=NAGIOS,
        body=nagios_alert(
            "PROBLEM",
            "switch-acc-3-12",
            "DOWN",
            "10.3.12.1",
            "CRITICAL - Host Unreachable (10.3.12.1)",
        ),
        steps=[
            Take("carol"),
            Status("carol", "open"),
            SetCf("carol", "Site", "Head office, floor 3"),
            Comment(
                "carol",
                "Power supply failed, switch is dead. Spare ordered, 14 desks affected.",
                minutes=25,
            ),
        ],
    ),
    Story(
        queue=Q,
        subject="Planned maintenance: firmware upgrade on edge-ams-1 (Sat 02:00 UTC)",
        creator="alice",
        body=(
            "Upgrade edge-ams-1 to the vendor's recommended release to fix the BFD "
            "memory leak. Window Saturday 02:00-03:00 UTC, traffic drained to "
            "edge-ams-2 beforehand."
        ),
        steps=[
            Take("alice"),
            Status("alice", "open"),
            SetCf("alice", "Site", "Amsterdam AMS1"),
            Priority("alice", 40),
        ],
    ),
    Story(
        key="utrecht",
        queue=Q,
        subject="New circuit order: 1 Gbit/s to the Utrecht site",
        creator="carol",
        body=(
            "Order a 1 Gbit/s ethernet circuit for the new Utrecht office, "
            "handover in the ground-floor comms room. Quote accepted."
        ),
        steps=[
            Take("carol"),
            Status("carol", "open"),
            SetCf("carol", "Site", "Utrecht office"),
            SetCf("carol", "Circuit ID", "UTR-1010"),
            Comment("carol", "Carrier survey planned in 3 weeks.", minutes=10),
            Status("carol", "stalled"),
        ],
    ),
    Story(
        queue=Q,
        subject="PROBLEM: SERVICE SNMP on fw-edge-1 is UNKNOWN",
        creator=NAGIOS,
        body=nagios_alert(
            "PROBLEM",
            "fw-edge-1",
            "UNKNOWN",
            "192.0.2.254",
            "SNMP UNKNOWN - No response from remote host",
        ),
    ),
    Story(
        key="aws-loss",
        queue=Q,
        subject="Packet loss to AWS eu-west-1 from the Initech data centre",
        creator="alice",
        requestors=("maria.rossi@initech.example",),
        body=(
            "Maria called: since this morning 3-5% packet loss from the Initech "
            "racks towards AWS eu-west-1. Logged on her behalf."
        ),
        steps=[
            Take("alice"),
            Status("alice", "open"),
            SetCf("alice", "Site", "Amsterdam AMS1"),
            SetCf("alice", "Customer reference", "INI-2024-0412"),
            Reply(
                "alice",
                "Hello Maria, could you send us an mtr from one of your servers to an "
                "EC2 instance in eu-west-1? Our own probes look clean so far.",
                minutes=20,
            ),
            Status("alice", "stalled"),
        ],
    ),
    Later(
        "aws-loss",
        [
            Reply(
                "maria.rossi@initech.example",
                "Here it is: loss starts at hop 7 (ams-ix peering), 4% over 500 "
                "cycles.",
            ),
            Status("alice", "open"),
            Work("alice", 30),
        ],
    ),
    Story(
        queue=Q,
        subject="PROBLEM: SERVICE HTTP on portal.example.org is CRITICAL",
        creator=NAGIOS,
        body=nagios_alert(
            "PROBLEM",
            "portal.example.org",
            "CRITICAL",
            "192.0.2.60",
            "HTTP CRITICAL: HTTP/1.1 503 Service Unavailable - 0.012 second response time",
        ),
        steps=[
            Take("alice"),
            Status("alice", "open"),
            Comment(
                "alice",
                "Load balancer marks both backends down; web team paged.",
                minutes=10,
            ),
        ],
    ),
    Story(
        queue=Q,
        subject="Fibre cut between AMS1 and AMS3",
        creator="bob",
        body=(
            "Dark fibre AMS1-AMS3 down at 11:02, OTDR shows a break at 4.2 km. "
            "Traffic rerouted over the wave service; no redundancy left."
        ),
        steps=[
            Take("bob"),
            Status("bob", "open"),
            SetCf("bob", "Site", "Amsterdam AMS1"),
            SetCf("bob", "Circuit ID", "AMS-0421"),
            Priority("bob", 80),
            Comment(
                "bob",
                "Carrier confirms civil works damaged the duct; splice crew on site "
                "at 15:00.",
                minutes=20,
            ),
        ],
    ),
]
