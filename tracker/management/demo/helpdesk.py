"""The Helpdesk's queues: account requests in `accounts`, everything else in General."""

from __future__ import annotations

from tracker.management.demo.script import (
    Comment,
    Give,
    Later,
    Link,
    Move,
    Reply,
    SetCf,
    Status,
    Steal,
    Story,
    Take,
    Work,
)

A = "accounts"
G = "General"

ACCOUNTS: list[Story | Later] = [
    Story(
        queue=A,
        subject="Password reset for my account",
        creator="tom.baker@globex.example",
        body="Hi, I forgot my password after the holidays. Can you reset it?\n\nTom",
        steps=[
            Take("heidi"),
            Status("heidi", "open"),
            Reply(
                "heidi",
                "Hi Tom, a reset link has been sent to your registered address; it is "
                "valid for 30 minutes.",
                minutes=5,
            ),
            Reply("tom.baker@globex.example", "Works again, thank you!"),
            Status("heidi", "resolved"),
        ],
    ),
    Story(
        key="new-sven",
        queue=A,
        subject="New account request: Sven Larsen (starts 1 June)",
        creator="priya.nair@globex.example",
        body=(
            "Please create an account for Sven Larsen, our new accountant, starting "
            "1 June. Same groups as me, plus the finance share.\n\nPriya Nair"
        ),
        steps=[
            Take("grace"),
            Status("grace", "open"),
            SetCf("grace", "Customer reference", "GLX-2024-118"),
            Comment(
                "grace",
                "Finance share access needs the approval of the Globex finance lead.",
            ),
            Reply(
                "grace",
                "Hello Priya, the account is ready except the finance share: could "
                "your finance lead approve that by mail?",
                minutes=15,
            ),
            Status("grace", "stalled"),
        ],
    ),
    Story(
        queue=A,
        subject="Account locked after too many login attempts",
        creator="li.wei@acme.example",
        body="My account says 'locked'. I think I mistyped my new password.",
        steps=[
            Take("heidi"),
            Reply(
                "heidi",
                "Unlocked. If it happens again without you mistyping, tell us.",
                minutes=5,
            ),
            Status("heidi", "resolved"),
        ],
    ),
    Story(
        queue=A,
        subject="Remove access for departing employee M. Fischer",
        creator="anna.schmidt@acme.example",
        body=(
            "Markus Fischer leaves Acme on Friday. Please disable his account and "
            "VPN access from Saturday 00:00."
        ),
        steps=[
            Take("grace"),
            Status("grace", "open"),
            SetCf("grace", "Customer reference", "ACME-HR-0077"),
            Comment("grace", "Scheduled disable for Saturday 00:00.", minutes=10),
            Status("grace", "resolved"),
        ],
    ),
    Story(
        key="acct-ito",
        queue=A,
        subject="New account request: contractor Kenji Ito (Initech)",
        creator="jonas.berg@initech.example",
        body="Kenji Ito joins as a contractor for 3 months from next Monday.",
        steps=[Take("heidi"), Status("heidi", "open")],
    ),
    Story(
        key="vpn-ito",
        queue=A,
        subject="VPN access for contractor Kenji Ito",
        creator="jonas.berg@initech.example",
        body="Kenji will work remotely most of the time and needs VPN access.",
        steps=[
            Take("grace"),
            Link("grace", "DependsOn", "acct-ito"),
            Comment("grace", "VPN profile can only be made once the account exists."),
        ],
    ),
    Later(
        "acct-ito",
        [
            Reply(
                "heidi",
                "Kenji's account is ready; he will receive his initial password by "
                "text message.",
                minutes=15,
            ),
            Status("heidi", "resolved"),
        ],
    ),
    Later("vpn-ito", [Status("grace", "open"), Work("grace", 20)]),
    Story(
        queue=A,
        subject="Shared mailbox for the sales team",
        creator="maria.rossi@initech.example",
        body="Could we get sales@initech.example as a shared mailbox for 4 people?",
        steps=[
            Take("heidi"),
            Status("heidi", "open"),
            Reply("heidi", "Which four people should have access?", minutes=5),
            Reply(
                "maria.rossi@initech.example",
                "Maria Rossi, Jonas Berg, Paolo Conti and Eva Horvat.",
            ),
        ],
    ),
    Story(
        queue=A,
        subject="Lost my 2FA token",
        creator="tom.baker@globex.example",
        body="I lost the phone with my authenticator app. How do I log in now?",
        steps=[
            Take("heidi"),
            Status("heidi", "open"),
            Reply(
                "heidi",
                "Identity confirmed by phone; 2FA is reset, enrol your new phone at "
                "the next login.",
                minutes=15,
            ),
            Status("heidi", "resolved"),
        ],
    ),
    Story(
        queue=A,
        subject="Rename account after marriage: Maria Rossi -> Maria Bianchi",
        creator="maria.rossi@initech.example",
        body="Please change my name and mail address to Maria Bianchi. Thanks!",
    ),
    Story(
        queue=A,
        subject="Congratulations! You have won a $1000 gift card",
        creator="promo@prizes.example",
        body="Click here to claim your prize before it expires!",
        steps=[Status("heidi", "rejected")],
    ),
    Story(
        queue=A,
        subject="Read access to the finance share",
        creator="priya.nair@globex.example",
        body="As finance lead I approve read access to the finance share for Sven.",
        steps=[
            Give("grace", "heidi"),
            Status("heidi", "open"),
            SetCf("heidi", "Customer reference", "GLX-2024-118"),
            Link("heidi", "RefersTo", "new-sven"),
        ],
    ),
    Story(
        queue=A,
        subject="Add Jonas Berg to the initech-admins group",
        creator="maria.rossi@initech.example",
        body="Jonas takes over server administration from me; please add him.",
        steps=[
            Take("grace"),
            Status("grace", "open"),
            Comment("grace", "Confirmed with Maria by phone.", minutes=5),
            Status("grace", "resolved"),
        ],
    ),
    Later("new-sven", [Status("grace", "open")]),
]

GENERAL: list[Story | Later] = [
    Story(
        queue=G,
        subject="Printer on 3rd floor (HP-3F-01) jams on every job",
        creator="carol",
        body="HP-3F-01 jams on every print job since Monday, tray 2.",
        steps=[
            Take("heidi"),
            Status("heidi", "open"),
            Comment("heidi", "Fuser unit worn out; replacement ordered.", minutes=20),
            Status("heidi", "stalled"),
        ],
    ),
    Story(
        queue=G,
        subject="Printer offline: Canon in reception",
        creator="anna.schmidt@acme.example",
        body="The Canon printer in reception shows 'offline' on all our laptops.",
        steps=[
            Take("heidi"),
            Reply(
                "heidi",
                "The printer had lost its DHCP lease; it is back online.",
                minutes=10,
            ),
            Status("heidi", "resolved"),
        ],
    ),
    Story(
        queue=G,
        subject="Laptop very slow after the latest update",
        creator="li.wei@acme.example",
        body="Since yesterday's update my laptop takes 10 minutes to start.",
        steps=[
            Take("heidi"),
            Status("heidi", "open"),
            Reply(
                "heidi",
                "Could you bring the laptop to the helpdesk tomorrow morning?",
                minutes=5,
            ),
        ],
    ),
    Story(
        queue=G,
        subject="Projector in meeting room Lisbon: no HDMI signal",
        creator="priya.nair@globex.example",
        body="The projector in Lisbon shows 'no signal' with any laptop.",
        steps=[
            Take("grace"),
            Comment("grace", "HDMI cable replaced.", minutes=15),
            Status("grace", "resolved"),
        ],
    ),
    Story(
        queue=G,
        subject="Cannot print to PRN-ROT-02 from a Mac",
        creator="jonas.berg@initech.example",
        body="Windows colleagues can print to PRN-ROT-02, Macs cannot reach it.",
        steps=[
            Take("heidi"),
            Status("heidi", "open"),
            Comment(
                "heidi",
                "The printer answers from Windows subnet only: a network issue?",
            ),
            Steal("bob"),
            Comment(
                "bob",
                "Mac Wi-Fi VLAN was missing from the printer ACL. Fixed.",
                minutes=15,
            ),
            Reply("bob", "Macs can print to PRN-ROT-02 again.", minutes=5),
            Status("bob", "resolved"),
        ],
    ),
    Story(
        queue=G,
        subject="Request for a second monitor",
        creator="maria.rossi@initech.example",
        body="Could I get a second 24-inch monitor for my desk?",
        steps=[
            Give("grace", "heidi"),
            Reply("heidi", "A monitor is on its way to your desk.", minutes=10),
            Status("heidi", "resolved"),
        ],
    ),
    Story(
        queue=G,
        subject="Website contact form returns error 500",
        creator="tom.baker@globex.example",
        body="Submitting the contact form on www.example.org gives 'Error 500'.",
        steps=[
            Take("grace"),
            Status("grace", "open"),
            Comment("grace", "Reproduced; web team informed.", minutes=10),
        ],
    ),
    Story(
        key="payroll-report",
        queue=G,
        subject="Email asking to confirm my payroll details",
        creator="maria.rossi@initech.example",
        body=(
            "I got an email from 'HR Payroll' asking me to confirm my bank details "
            "on a website. It looks odd. I have not clicked anything."
        ),
        steps=[
            Comment("heidi", "Phishing: moving to the CSIRT.", minutes=5),
            Move("heidi", "security"),
        ],
    ),
    Story(
        queue=G,
        subject="VPN down at the Rotterdam branch",
        creator="jonas.berg@initech.example",
        body=(
            "The site-to-site VPN from our Rotterdam branch has been down since "
            "08:30; nobody there can reach the ERP system."
        ),
        steps=[
            Move("bob", "connectivity"),
            Take("bob"),
            Status("bob", "open"),
            SetCf("bob", "Site", "Rotterdam branch"),
            SetCf("bob", "Circuit ID", "RTM-0457"),
            Reply(
                "bob",
                "Hello Jonas, the branch's internet circuit is up but IKE fails: the "
                "branch firewall rebooted with an old configuration. We are restoring "
                "it now.",
                minutes=25,
            ),
            Reply("jonas.berg@initech.example", "Tunnel is up again, thanks!"),
            Status("bob", "resolved"),
        ],
    ),
    Story(
        queue=G,
        subject="Outlook keeps asking for my password",
        creator="li.wei@acme.example",
        body="Outlook asks for my password every few minutes since this morning.",
        steps=[
            Take("heidi"),
            Reply(
                "heidi",
                "Please remove the old saved credential in Credential Manager and "
                "sign in again.",
                minutes=10,
            ),
            Reply("li.wei@acme.example", "That fixed it."),
            Status("heidi", "resolved"),
        ],
    ),
    Story(
        queue=G,
        subject="Wi-Fi keeps disconnecting in building B",
        creator="priya.nair@globex.example",
        body="Laptops in building B lose Wi-Fi every 10-15 minutes.",
        steps=[
            Take("carol"),
            Status("carol", "open"),
            Comment(
                "carol",
                "Two access points on the same channel; controller reports "
                "interference. Site survey booked.",
                minutes=30,
            ),
        ],
    ),
    Story(
        queue=G,
        subject="Keycard does not open the 4th floor",
        creator="anna.schmidt@acme.example",
        body="My keycard stopped working on the 4th floor doors this morning.",
        steps=[
            Reply(
                "grace",
                "Keycards are handled by Facilities; we have forwarded your request "
                "to facilities@example.org.",
                minutes=5,
            ),
            Status("grace", "rejected"),
        ],
    ),
]

SCENARIO: list[Story | Later] = [*ACCOUNTS, *GENERAL]

# Continues the payroll report once it is in the CSIRT's queue.
AFTER_MOVE: list[Story | Later] = [
    Later(
        "payroll-report",
        [
            Take("erin"),
            Status("erin", "triage"),
            Link("erin", "MemberOf", "phish-payroll"),
            Reply(
                "erin",
                "Thank you Maria, this is part of a campaign we are handling. Please "
                "delete the mail.",
                minutes=5,
            ),
        ],
    )
]
