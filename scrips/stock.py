"""The templates and global scrips a fresh tracker ships with (used by a data migration).

The wording is ours; the set and the pairing of conditions, actions and templates follow
RT's defaults (rt-semantics 6.3).
"""

from __future__ import annotations

_FOOTER = """
--
Ticket: {{ ticket.url }}
"""

STOCK_TEMPLATES: list[tuple[str, str, str]] = [
    ("Blank", "An empty template: sends nothing", ""),
    (
        "Autoreply",
        "Acknowledgement sent to requestors when a ticket is created",
        """Subject: AutoReply: {{ ticket.subject }}

Hello,

This is an automatic reply: no need to answer it.

Your message "{{ ticket.subject }}" has been received and logged as
ticket {{ ticket.subject_tag }}. Please keep that tag in the subject of any
further mail about it; simply replying to this message does so.

Thank you,
{{ queue.correspond_address }}
""",
    ),
    (
        "Transaction",
        "A summary of any transaction, for staff",
        """Subject: {{ ticket.subject }}

{{ transaction.description }} by {{ transaction.actor.name }}
       Queue: {{ ticket.queue }}
     Subject: {{ ticket.subject }}
       Owner: {{ ticket.owner.name|default:"Nobody" }}
  Requestors: {% for r in ticket.requestors %}{{ r.email }}{% if not forloop.last %}, {% endif %}{% endfor %}
      Status: {{ ticket.status }}
 Ticket <URL: {{ ticket.url }} >

{{ transaction.content }}
""",
    ),
    (
        "Admin Correspondence",
        "A reply, as sent to staff (with the ticket link)",
        """Subject: {{ transaction.subject|default:ticket.subject }}

<URL: {{ ticket.url }} >

{{ transaction.content }}
""",
    ),
    (
        "Correspondence",
        "A reply, as sent to requestors and Ccs",
        """Subject: {{ transaction.subject|default:ticket.subject }}

{{ transaction.content }}
""",
    ),
    (
        "Admin Comment",
        "A private comment, sent to staff only",
        """Subject: [Comment] {{ transaction.subject|default:ticket.subject }}

This is a comment. It is not sent to the requestor(s):

{{ transaction.content }}
"""
        + _FOOTER,
    ),
    (
        "Status Change",
        "The ticket's status changed",
        """Subject: Status changed to {{ ticket.status }}: {{ ticket.subject }}

{{ transaction.description }} by {{ transaction.actor.name }}.
"""
        + _FOOTER,
    ),
    (
        "Resolved",
        "Sent to requestors when their ticket is resolved",
        """Subject: Resolved: {{ ticket.subject }}

Your request "{{ ticket.subject }}" is now resolved. If you believe it is not,
reply to this message and the ticket will be reopened.
""",
    ),
    (
        "Reminder",
        "A reminder about a ticket",
        """Subject: Reminder: {{ ticket.subject }}

This is a reminder about ticket {{ ticket.subject_tag }}: {{ ticket.subject }}
(status {{ ticket.status }}, owner {{ ticket.owner.name|default:"Nobody" }}).
{% if reminder %}
Reminder #{{ reminder.id }} for {{ reminder.owner }}, due {{ reminder.due|date:"Y-m-d H:i" }}:
{{ reminder.subject }}
{% endif %}"""
        + _FOOTER,
    ),
    (
        "Untaken Ticket",
        "Sent to queue AdminCcs about tickets nobody has taken",
        """Subject: Still unowned: {{ ticket.subject }}

Ticket {{ ticket.subject_tag }} in queue {{ ticket.queue }} was created
{{ ticket.created|date:"Y-m-d H:i" }} and nobody has taken it yet.
"""
        + _FOOTER,
    ),
    (
        "Overdue",
        "Sent to the owner (or AdminCcs) of a ticket past its due date",
        """Subject: Overdue: {{ ticket.subject }}

Ticket {{ ticket.subject_tag }} was due {{ ticket.due|date:"Y-m-d H:i" }}
and is still {{ ticket.status }}.
"""
        + _FOOTER,
    ),
]

STOCK_TEMPLATES += [
    (
        "Daily Digest",
        "Each staff member's open tickets, mailed once a day",
        """Subject: Your open tickets ({{ tickets|length }}) on {{ date|date:"Y-m-d" }}

Hello {{ recipient.name }},

You own {{ tickets|length }} open ticket{{ tickets|length|pluralize }}, most urgent first:
{% for t in tickets %}
#{{ t.id }} [{{ t.queue }}] {{ t.subject }}
    {{ t.status }}, priority {{ t.priority }}{% if t.due %}, due {{ t.due|date:"Y-m-d H:i" }}{% if t.is_overdue %} (OVERDUE){% endif %}{% endif %}
    {{ t.url }}
{% endfor %}""",
    ),
    (
        "Auto Close",
        "Told to requestors when a ticket waiting on them is closed",
        """Subject: Closed for lack of an answer: {{ ticket.subject }}

Hello,

Ticket {{ ticket.subject_tag }} has been waiting for an answer from you for a while,
so it is now closed. If you still need help, reply to this message and the ticket
will be reopened.
""",
    ),
]

# (description, condition, condition argument, action, template)
DEFAULT_SCRIPS: list[tuple[str, str, str, str, str]] = [
    (
        "On Comment Notify AdminCcs as Comment",
        "On Comment",
        "",
        "Notify AdminCcs as Comment",
        "Admin Comment",
    ),
    (
        "On Comment Notify Other Recipients as Comment",
        "On Comment",
        "",
        "Notify Other Recipients as Comment",
        "Correspondence",
    ),
    (
        "On Correspond Notify Owner and AdminCcs",
        "On Correspond",
        "",
        "Notify Owner and AdminCcs",
        "Admin Correspondence",
    ),
    (
        "On Correspond Notify Other Recipients",
        "On Correspond",
        "",
        "Notify Other Recipients",
        "Correspondence",
    ),
    (
        "On Correspond Notify Requestors and Ccs",
        "On Correspond",
        "",
        "Notify Requestors and Ccs",
        "Correspondence",
    ),
    (
        "On Correspond Open Inactive Tickets",
        "On Correspond",
        "",
        "Open Inactive Tickets",
        "Blank",
    ),
    (
        "On Create Autoreply To Requestors",
        "On Create",
        "",
        "Autoreply To Requestors",
        "Autoreply",
    ),
    (
        "On Create Notify Owner and AdminCcs",
        "On Create",
        "",
        "Notify Owner and AdminCcs",
        "Transaction",
    ),
    ("On Create Notify Ccs", "On Create", "", "Notify Ccs", "Correspondence"),
    (
        "On Create Notify Other Recipients",
        "On Create",
        "",
        "Notify Other Recipients",
        "Correspondence",
    ),
    (
        "On Owner Change Notify Owner",
        "On Owner Change",
        "",
        "Notify Owner",
        "Transaction",
    ),
    ("On Resolve Notify Requestors", "On Resolve", "", "Notify Requestors", "Resolved"),
    (
        "Set due date if needed according to SLA",
        "Require Due Set According to SLA",
        "",
        "Set Due Date According to SLA",
        "Blank",
    ),
]

# (name, task, every N minutes or None, crontab (minute, hour, day of week), kwargs,
#  enabled): what beat runs out of the box; edited under Scrips > Periodic jobs.
PERIODIC_JOBS: list[tuple[str, str, int | None, tuple[str, str, str], dict, bool]] = [
    ("Outbox sweep", "scrips.tasks.sweep_outbox_task", 1, ("0", "*", "*"), {}, True),
    (
        "Priority escalation (LinearEscalate)",
        "scrips.tasks.escalate_priorities_task",
        None,
        ("5", "*", "*"),
        {"linear": True},
        True,
    ),
    (
        "Reminder of untaken tickets",
        "scrips.tasks.remind_untaken_task",
        None,
        ("15", "*", "*"),
        {"hours": 24},
        True,
    ),
    ("Due reminders", "scrips.tasks.send_reminders_task", 5, ("0", "*", "*"), {}, True),
    (
        "Daily digest",
        "scrips.tasks.send_digests_task",
        None,
        ("0", "7", "mon-fri"),
        {},
        True,
    ),
    (
        "Auto-close tickets waiting on the customer",
        "scrips.tasks.auto_close_task",
        None,
        ("30", "3", "*"),
        {"days": 14, "statuses": ["stalled"], "status": "resolved"},
        False,
    ),
]
