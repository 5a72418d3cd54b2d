"""The CSIRT's queue: abuse reports, phishing and incidents along the incident lifecycle."""

from __future__ import annotations

from tracker.management.demo.script import (
    Comment,
    Give,
    Later,
    Link,
    Merge,
    Reply,
    SetCf,
    Status,
    Story,
    Take,
    Work,
)

Q = "security"

SCENARIO: list[Story | Later] = [
    Story(
        key="ddos",
        queue=Q,
        subject="DDoS against www.example.org: 40 Gbit/s UDP reflection",
        creator="alice",
        body=(
            "Since 13:05 UTC the edge routers see ~40 Gbit/s of UDP towards 192.0.2.80 "
            "(www.example.org), source port 123 and 389: NTP and CLDAP reflection.\n"
            "Uplinks in AMS1 are saturated, customers report packet loss.\n\n"
            "NOC has rate-limited UDP/123 at the edge as a first measure.\n-- Alice, NOC"
        ),
        steps=[
            Take("dave"),
            Status("dave", "triage"),
            SetCf("dave", "Severity", "Critical"),
            SetCf("dave", "Classification", "Denial of Service"),
            SetCf("dave", "IP", ("192.0.2.80", "198.51.100.0/24")),
            Status("dave", "incident"),
            Comment(
                "dave",
                "Declared. Scrubbing requested from the transit provider (case TP-88213). "
                "Most reflectors sit in 198.51.100.0/24.",
                minutes=30,
            ),
            Reply(
                "dave",
                "Alice, scrubbing is being enabled upstream; expect traffic to be clean "
                "within 15 minutes. Please keep the UDP/123 limit until we confirm.",
                minutes=5,
            ),
            Reply(
                "alice",
                "Traffic on the AMS1 uplinks is back to normal since 14:20 UTC. "
                "Rate limit still in place.",
            ),
            Comment(
                "erin",
                "Checked our own NTP servers: none answer monlist, we were not part of "
                "the reflection.",
                minutes=20,
            ),
            Status("dave", "closing"),
            Status("dave", "post-incident"),
            Comment(
                "dave",
                "Post-incident review: detection took 12 minutes (alert threshold too "
                "high). Actions: lower the flow alert threshold, pre-arrange scrubbing "
                "with the second transit provider.",
                minutes=60,
            ),
            Reply(
                "dave",
                "Closing this incident. The review notes and follow-up actions are on "
                "the ticket. Thanks to the NOC for the quick rate limit.",
            ),
            Status("dave", "resolved"),
        ],
    ),
    Story(
        key="webshell",
        queue=Q,
        subject="Possible web shell on cms.example.org",
        creator="soc@cert.example",
        body=(
            "Dear colleagues,\n\nour sensors saw POST requests to "
            "/wp-content/uploads/2024/cache.php on cms.example.org (192.0.2.45) "
            "returning command output. The host may be compromised.\n\n"
            "Regards,\nNational CERT duty officer"
        ),
        steps=[
            Give("dave", "erin"),
            Status("erin", "triage"),
            SetCf("erin", "Severity", "High"),
            SetCf("erin", "Classification", "System Compromise"),
            SetCf("erin", "IP", "192.0.2.45"),
            Reply(
                "erin",
                "Thank you for the report. We are looking into it and will let you know "
                "what we find.",
            ),
            Status("erin", "incident"),
            Comment(
                "erin",
                "Confirmed: cache.php is a PHP web shell uploaded through an outdated "
                "form plugin on 2 May. Host isolated, disk image taken.",
                minutes=90,
            ),
            Comment(
                "frank",
                "Web server logs show the shell used from 203.0.113.14 only. No lateral "
                "movement found on the database host.",
                minutes=45,
            ),
            Status("erin", "closing"),
            Status("erin", "post-incident"),
            Comment(
                "erin",
                "Rebuilt from clean image, plugin removed, WAF rule added. Lesson: the "
                "CMS was missing from the patch inventory.",
                minutes=40,
            ),
            Reply(
                "erin",
                "The compromise is confirmed and remediated; thank you for the timely "
                "report. We are closing our case.",
            ),
            Status("erin", "resolved"),
        ],
    ),
    Story(
        key="ssh-campaign",
        queue=Q,
        subject="SSH brute force campaign from 203.0.113.0/24",
        creator="frank",
        status="triage",
        body=(
            "Several reports today of SSH password guessing from 203.0.113.0/24 "
            "against our bastion hosts and customer servers. Tracking them here."
        ),
        steps=[
            SetCf("frank", "IP", "203.0.113.0/24"),
            SetCf("frank", "Severity", "Medium"),
            SetCf("frank", "Classification", "Scan"),
            Take("frank"),
            Status("frank", "incident"),
            Comment(
                "frank",
                "Range blocked at the edge for 7 days. Abuse contact of the range "
                "notified (abuse@hosting.example).",
                minutes=25,
            ),
        ],
    ),
    Story(
        key="ssh-bastion",
        queue=Q,
        subject="SSH brute force from 203.0.113.23 against bastion-1",
        creator="bob",
        body=(
            "fail2ban on bastion-1 banned 203.0.113.23 after 4,200 failed logins "
            "for root, admin and oracle in the last hour."
        ),
        steps=[
            Take("frank"),
            Status("frank", "triage"),
            SetCf("frank", "IP", "203.0.113.23"),
            Link("frank", "MemberOf", "ssh-campaign"),
            Reply(
                "frank",
                "Thanks Bob, this is part of a wider campaign; the range is now blocked "
                "at the edge. No successful logins found.",
                minutes=10,
            ),
            Status("frank", "resolved"),
        ],
    ),
    Story(
        key="ssh-shop",
        queue=Q,
        subject="Repeated failed root logins from 203.0.113.58 on shop server",
        creator="tom.baker@globex.example",
        body=(
            "Hello, our web shop server (hosted with you) shows thousands of failed "
            "root logins from 203.0.113.58 since this morning. Should we worry?\n\nTom"
        ),
        steps=[
            Take("erin"),
            Status("erin", "triage"),
            SetCf("erin", "IP", "203.0.113.58"),
            Link("erin", "MemberOf", "ssh-campaign"),
            Reply(
                "erin",
                "Hi Tom, the address belongs to a range we have blocked at our edge. "
                "Please make sure root login by password is disabled on the server.",
                minutes=10,
            ),
            Reply("tom.baker@globex.example", "Done, PermitRootLogin is now 'no'."),
        ],
    ),
    Story(
        queue=Q,
        subject="fail2ban report: 203.0.113.201 banned on mail-out-2",
        creator="fail2ban@mail-out-2.example.org",
        body=(
            "The IP 203.0.113.201 has just been banned by Fail2Ban after 25 attempts "
            "against sshd.\n\nRegards,\nFail2Ban"
        ),
    ),
    Story(
        key="phish-m365",
        queue=Q,
        subject="Phishing: fake Microsoft 365 login page",
        creator="anna.schmidt@acme.example",
        body=(
            "Several of our staff received a mail 'Your mailbox is full' linking to "
            "hxxps://login-m365-verify.example.net/ - looks like phishing. "
            "Original message attached as text below.\n\nAnna Schmidt, Acme Logistics"
        ),
        steps=[
            Take("erin"),
            Status("erin", "triage"),
            SetCf("erin", "Classification", "Spam"),
            SetCf("erin", "Severity", "Low"),
            SetCf("erin", "IP", "198.51.100.23"),
            Reply(
                "erin",
                "Thank you Anna. The page is hosted at 198.51.100.23; we have asked the "
                "hosting provider to take it down and blocked the domain on our resolvers.",
                minutes=15,
            ),
        ],
    ),
    Story(
        key="phish-dup",
        queue=Q,
        subject="Fwd: Your mailbox is full - action required",
        creator="li.wei@acme.example",
        body=(
            "Is this mail genuine? It asks me to log in to keep my mailbox.\n\n"
            "---------- Forwarded message ----------\n"
            "Subject: Your mailbox is full - action required"
        ),
        steps=[Merge("erin", "phish-m365")],
    ),
    Later(
        "phish-m365",
        [
            Comment(
                "erin", "Hosting provider confirms takedown at 16:40 UTC.", minutes=5
            ),
            Status("erin", "resolved"),
        ],
    ),
    Story(
        key="phish-payroll",
        queue=Q,
        subject="Phishing campaign targeting payroll staff",
        creator="dave",
        status="triage",
        body=(
            "Targeted mails to payroll staff at three customers, asking to 'confirm "
            "bank details' on a look-alike portal. At least one user entered "
            "credentials."
        ),
        steps=[
            SetCf("dave", "Severity", "High"),
            SetCf("dave", "Classification", "Spam"),
            SetCf("dave", "IP", ("198.51.100.140", "198.51.100.141")),
            Status("dave", "incident"),
            Give("dave", "frank"),
            Comment(
                "frank",
                "Reset the password of the user who entered credentials, revoked "
                "sessions. Searching mail logs for other recipients.",
                minutes=50,
            ),
        ],
    ),
    Story(
        queue=Q,
        subject="Port scan from 198.51.100.200 against 192.0.2.0/24",
        creator="ids@example.org",
        body=(
            "Snort alert: ET SCAN Potential SSH Scan OUTBOUND\n"
            "198.51.100.200 -> 192.0.2.0/24, TCP 22, 3389, 445 (1,024 hosts in 90 s)"
        ),
        steps=[
            Take("frank"),
            Status("frank", "triage"),
            SetCf("frank", "Classification", "Scan"),
            SetCf("frank", "IP", "198.51.100.200"),
            Comment(
                "frank",
                "198.51.100.200 is the vulnerability scanner of our auditor, "
                "announced for this week. Not an incident.",
                minutes=10,
            ),
            Status("frank", "rejected"),
        ],
    ),
    Story(
        key="dmca",
        queue=Q,
        subject="Copyright infringement notice for 192.0.2.131",
        creator="notices@rights-holder.example",
        body=(
            "We have identified the following IP address sharing the copyrighted "
            "work 'Example Movie' via BitTorrent: 192.0.2.131, 2024-05-03 21:14 UTC. "
            "Please take appropriate action."
        ),
        steps=[
            Take("erin"),
            Status("erin", "triage"),
            SetCf("erin", "Classification", "Piracy"),
            SetCf("erin", "IP", "192.0.2.131"),
            Reply(
                "erin",
                "We have forwarded your notice to the customer using this address.",
                minutes=10,
            ),
            Status("erin", "resolved"),
            Reply(
                "notices@rights-holder.example",
                "The infringement continues: seen again from 192.0.2.131 on "
                "2024-05-10 19:02 UTC.",
            ),
            Status("dave", "triage"),
            Comment(
                "dave",
                "Reopened after the second notice. Erin, please call the customer.",
            ),
        ],
    ),
    Story(
        queue=Q,
        subject="Is the 'security update' email from IT genuine?",
        creator="priya.nair@globex.example",
        body=(
            "We got a mail from 'IT Security' asking everyone to install an update "
            "from a link. Is that from you?\n\nPriya"
        ),
        steps=[
            SetCf("erin", "Classification", "Query"),
            Reply(
                "erin",
                "Hi Priya, no, that mail is not from us. Please delete it and do not "
                "click the link. Thanks for checking!",
                minutes=5,
            ),
            Status("erin", "resolved"),
        ],
    ),
    Story(
        queue=Q,
        subject="Ransomware note on FILESRV-02",
        creator="heidi",
        body=(
            "A user called: files on the S: drive are renamed to *.locked and there "
            "is a README_RESTORE.txt in every folder. FILESRV-02 (10.20.4.12)."
        ),
        steps=[
            Take("dave"),
            Status("dave", "triage"),
            SetCf("dave", "Severity", "Critical"),
            SetCf("dave", "Classification", "System Compromise"),
            SetCf("dave", "IP", ("10.20.4.12", "10.20.4.17")),
            Status("dave", "incident"),
            Comment(
                "dave",
                "FILESRV-02 taken off the network. Encryption started from workstation "
                "10.20.4.17 (user account compromised via phishing).",
                minutes=120,
            ),
            Work("frank", 180),
            Comment(
                "frank",
                "Restored S: from last night's snapshot; 6 hours of changes lost.",
                minutes=30,
            ),
            Status("dave", "closing"),
        ],
    ),
    Story(
        queue=Q,
        subject="Suspicious outbound traffic to 203.0.113.99 from 10.20.4.33",
        creator="carol",
        body=(
            "NetFlow shows 10.20.4.33 sending ~2 GB per night to 203.0.113.99:443 "
            "for the last week. Not a known backup target."
        ),
        steps=[Take("frank"), Status("frank", "triage")],
    ),
]
