"""Reading RT through its REST 2.0 API, where its database is out of reach.

The records are fetched once into an in-memory SQLite database laid out like RT's own
tables (only the columns the importer reads), so the import runs the same SQL whichever
way RT was reached. RT's REST 2.0 exposes no rights, templates or scrips; those tables
stay empty and the report shows nothing imported for them.

With a user and password, one login opens a session (RT checks a bcrypt hash on every
basic-auth request, which costs ~300 ms a call); with a token, each call carries it.
"""

from __future__ import annotations

import base64
import http.cookiejar
import json
import sqlite3
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

from rtimport.sources import Row

SCHEMA = """
CREATE TABLE Users (id INTEGER PRIMARY KEY, Name TEXT, EmailAddress TEXT, RealName TEXT,
  Organization TEXT, Lang TEXT, Timezone TEXT, Created TEXT);
CREATE TABLE Principals (id INTEGER PRIMARY KEY, PrincipalType TEXT, Disabled INTEGER);
CREATE TABLE Groups (id INTEGER PRIMARY KEY, Name TEXT, Description TEXT, Domain TEXT,
  Instance INTEGER);
CREATE TABLE GroupMembers (id INTEGER PRIMARY KEY AUTOINCREMENT, GroupId INTEGER,
  MemberId INTEGER);
CREATE TABLE ACL (id INTEGER PRIMARY KEY, PrincipalType TEXT, PrincipalId INTEGER,
  RightName TEXT, ObjectType TEXT, ObjectId INTEGER);
CREATE TABLE Queues (id INTEGER PRIMARY KEY, Name TEXT, Description TEXT,
  CorrespondAddress TEXT, CommentAddress TEXT, Lifecycle TEXT, SubjectTag TEXT,
  SortOrder INTEGER, Disabled INTEGER);
CREATE TABLE CustomFields (id INTEGER PRIMARY KEY, Name TEXT, Type TEXT, MaxValues INTEGER,
  Pattern TEXT, LookupType TEXT, Description TEXT, SortOrder INTEGER, Disabled INTEGER);
CREATE TABLE CustomFieldValues (id INTEGER PRIMARY KEY AUTOINCREMENT, CustomField INTEGER,
  Name TEXT, Description TEXT, SortOrder INTEGER);
CREATE TABLE ObjectCustomFields (id INTEGER PRIMARY KEY AUTOINCREMENT, CustomField INTEGER,
  ObjectId INTEGER, SortOrder INTEGER);
CREATE TABLE Tickets (id INTEGER PRIMARY KEY, EffectiveId INTEGER, Queue INTEGER, Type TEXT,
  Owner INTEGER, Subject TEXT, InitialPriority INTEGER, FinalPriority INTEGER,
  Priority INTEGER, TimeEstimated INTEGER, TimeWorked INTEGER, Status TEXT,
  TimeLeft INTEGER, Told TEXT, Starts TEXT, Started TEXT, Due TEXT, Resolved TEXT,
  LastUpdatedBy INTEGER, LastUpdated TEXT, Creator INTEGER, Created TEXT);
CREATE TABLE Transactions (id INTEGER PRIMARY KEY, ObjectType TEXT, ObjectId INTEGER,
  TimeTaken INTEGER, Type TEXT, Field TEXT, OldValue TEXT, NewValue TEXT,
  OldReference INTEGER, NewReference INTEGER, Data TEXT, Creator INTEGER, Created TEXT);
CREATE TABLE Attachments (id INTEGER PRIMARY KEY, TransactionId INTEGER, Parent INTEGER,
  MessageId TEXT, Subject TEXT, Filename TEXT, ContentType TEXT, ContentEncoding TEXT,
  Content BLOB, Headers TEXT, Creator INTEGER, Created TEXT);
CREATE TABLE ObjectCustomFieldValues (id INTEGER PRIMARY KEY AUTOINCREMENT,
  CustomField INTEGER, ObjectType TEXT, ObjectId INTEGER, Content TEXT, LargeContent TEXT,
  ContentEncoding TEXT, Creator INTEGER, Created TEXT, Disabled INTEGER DEFAULT 0);
CREATE TABLE Links (id INTEGER PRIMARY KEY AUTOINCREMENT, Base TEXT, Target TEXT, Type TEXT,
  LocalBase INTEGER, LocalTarget INTEGER, Creator INTEGER, Created TEXT);
CREATE TABLE Templates (id INTEGER PRIMARY KEY, Queue INTEGER, Name TEXT, Description TEXT,
  Type TEXT, Content TEXT);
CREATE TABLE Scrips (id INTEGER PRIMARY KEY, Description TEXT, ScripCondition INTEGER,
  ScripAction INTEGER, CustomIsApplicableCode TEXT, CustomPrepareCode TEXT,
  CustomCommitCode TEXT, Disabled INTEGER, Template TEXT);
CREATE TABLE ScripConditions (id INTEGER PRIMARY KEY, Name TEXT);
CREATE TABLE ScripActions (id INTEGER PRIMARY KEY, Name TEXT);
CREATE TABLE ObjectScrips (id INTEGER PRIMARY KEY, Scrip INTEGER, Stage TEXT,
  ObjectId INTEGER, SortOrder INTEGER);
"""
TXN_FIELDS = "Type,Field,OldValue,NewValue,Creator,Created,TimeTaken,Data"
MESSAGE_TYPES = {
    "Create",
    "Correspond",
    "Comment",
    "EmailRecord",
    "CommentEmailRecord",
    "Forward Transaction",
    "Forward Ticket",
}
LINK_REFS = {
    "depends-on": "DependsOn",
    "member-of": "MemberOf",
    "parent": "MemberOf",
    "refers-to": "RefersTo",
}


def _date(value: str | None) -> str | None:
    if not value or value.startswith("1970-01-01"):
        return None
    return value.replace("T", " ").rstrip("Z")


class RestSource:
    def __init__(
        self,
        base_url: str,
        *,
        user: str = "",
        password: str = "",
        token: str = "",
        queues: list[str] | None = None,
    ) -> None:
        self.base = base_url.rstrip("/")
        self.name = f"rest:{urllib.parse.urlparse(self.base).netloc}"
        self.token = token
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        if not token:
            self._login(user, password)
        self.db = sqlite3.connect(":memory:")
        self.db.executescript(SCHEMA)
        self._user_ids: dict[str, int] = {}
        self._mirror(queues or [])

    # -- HTTP ---------------------------------------------------------------------------
    def _login(self, user: str, password: str) -> None:
        data = urllib.parse.urlencode({"user": user, "pass": password}).encode()
        self.opener.open(f"{self.base}/NoAuth/Login.html", data=data, timeout=60)

    def get(self, path: str, **params: Any) -> Any:
        url = path if path.startswith("http") else f"{self.base}/REST/2.0/{path}"
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        request = urllib.request.Request(url)  # noqa: S310 - the RT URL given by the admin
        if self.token:
            request.add_header("Authorization", f"token {self.token}")
        with self.opener.open(request, timeout=120) as response:
            return json.loads(response.read())

    def items(self, path: str, **params: Any) -> Iterator[dict]:
        page = 1
        while True:
            body = self.get(path, page=page, per_page=100, **params)
            yield from body.get("items", [])
            if page >= int(body.get("pages") or 1):
                return
            page += 1

    # -- mirroring ------------------------------------------------------------------------
    def _insert(self, table: str, **columns: Any) -> None:
        names = ", ".join(columns)
        marks = ", ".join("?" for _ in columns)
        self.db.execute(
            f"INSERT OR REPLACE INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 - fixed names
            tuple(columns.values()),
        )

    def _user_id(self, ref: Any) -> int | None:
        """REST names users by Name; the mirror needs their numeric id."""
        if not isinstance(ref, dict) or not ref.get("id"):
            return None
        key = str(ref["id"])
        if key not in self._user_ids:
            self._mirror_user(key)
        return self._user_ids.get(key)

    def _mirror_user(self, key: str) -> None:
        record = self.get(f"user/{urllib.parse.quote(key)}")
        user_id = int(record["id"])
        self._user_ids[key] = self._user_ids[record["Name"]] = user_id
        self._insert(
            "Users",
            id=user_id,
            Name=record["Name"],
            EmailAddress=record.get("EmailAddress"),
            RealName=record.get("RealName"),
            Organization=record.get("Organization"),
            Lang=record.get("Lang"),
            Timezone=record.get("Timezone"),
            Created=_date(record.get("Created")),
        )
        self._insert(
            "Principals",
            id=user_id,
            PrincipalType="User",
            Disabled=int(record.get("Disabled") or 0),
        )
        if str(record.get("Privileged")) == "1":
            self._insert(
                "Groups", id=-1, Name="Privileged", Domain="SystemInternal", Instance=0
            )
            self._insert("GroupMembers", GroupId=-1, MemberId=user_id)

    def _mirror(self, queue_names: list[str]) -> None:
        for item in self.items("users"):
            if str(item["id"]) not in self._user_ids:
                self._mirror_user(str(item["id"]))
        groups = self.items(
            "groups",
            query=json.dumps([{"field": "Domain", "value": "UserDefined"}]),
            fields="Name,Description,Disabled",
        )
        for group in groups:
            group_id = int(group["id"])
            self._insert(
                "Groups",
                id=group_id,
                Name=group["Name"],
                Description=group.get("Description"),
                Domain="UserDefined",
                Instance=0,
            )
            self._insert(
                "Principals",
                id=group_id,
                PrincipalType="Group",
                Disabled=int(group.get("Disabled") or 0),
            )
            for member in self.items(f"group/{group_id}/members"):
                member_id = (
                    self._user_id(member)
                    if member["type"] == "user"
                    else int(member["id"])
                )
                self._insert("GroupMembers", GroupId=group_id, MemberId=member_id)
        wanted = {q.lower() for q in queue_names}
        for item in self.items("queues/all"):
            queue = self.get(f"queue/{item['id']}")
            if wanted and queue["Name"].lower() not in wanted:
                continue
            self._mirror_queue(queue)

    def _mirror_queue(self, queue: dict) -> None:
        queue_id = int(queue["id"])
        self._insert(
            "Queues",
            id=queue_id,
            Name=queue["Name"],
            Description=queue.get("Description"),
            CorrespondAddress=queue.get("CorrespondAddress"),
            CommentAddress=queue.get("CommentAddress"),
            Lifecycle=queue.get("Lifecycle"),
            SubjectTag=queue.get("SubjectTag"),
            SortOrder=int(queue.get("SortOrder") or 0),
            Disabled=int(queue.get("Disabled") or 0),
        )
        for role in ("Cc", "AdminCc"):
            role_group = -(queue_id * 10 + (1 if role == "Cc" else 2))
            self._insert(
                "Groups",
                id=role_group,
                Name=role,
                Domain="RT::Queue-Role",
                Instance=queue_id,
            )
            for ref in queue.get(role) or []:
                member = (
                    self._user_id(ref) if ref.get("type") == "user" else int(ref["id"])
                )
                self._insert("GroupMembers", GroupId=role_group, MemberId=member)
        for item in self.items(f"queue/{queue_id}/customfields"):
            self._mirror_custom_field(int(item["id"]), queue_id)
        for item in self.items("tickets", query=f"Queue = {queue_id}"):
            self._mirror_ticket(int(item["id"]))

    def _mirror_custom_field(self, cf_id: int, queue_id: int) -> None:
        cf = self.get(f"customfield/{cf_id}")
        self._insert(
            "CustomFields",
            id=cf_id,
            Name=cf["Name"],
            Type=cf.get("Type"),
            MaxValues=int(cf.get("MaxValues") or 0),
            Pattern=cf.get("Pattern"),
            LookupType=cf.get("LookupType"),
            Description=cf.get("Description"),
            SortOrder=int(cf.get("SortOrder") or 0),
            Disabled=int(cf.get("Disabled") or 0),
        )
        self._insert(
            "ObjectCustomFields", CustomField=cf_id, ObjectId=queue_id, SortOrder=0
        )
        existing = self.db.execute(
            "SELECT COUNT(*) FROM CustomFieldValues WHERE CustomField = ?", (cf_id,)
        ).fetchone()[0]
        for n, value in enumerate([] if existing else cf.get("Values") or []):
            self._insert(
                "CustomFieldValues", CustomField=cf_id, Name=value, SortOrder=n
            )

    def _mirror_ticket(self, ticket_id: int) -> None:
        t = self.get(f"ticket/{ticket_id}")
        effective = t.get("EffectiveId")
        self._insert(
            "Tickets",
            id=ticket_id,
            EffectiveId=int(effective["id"])
            if isinstance(effective, dict)
            else ticket_id,
            Queue=int(t["Queue"]["id"]),
            Type=t.get("Type") or "ticket",
            Owner=self._user_id(t.get("Owner")),
            Subject=t.get("Subject"),
            InitialPriority=int(t.get("InitialPriority") or 0),
            FinalPriority=int(t.get("FinalPriority") or 0),
            Priority=int(t.get("Priority") or 0),
            TimeEstimated=int(t.get("TimeEstimated") or 0),
            TimeWorked=int(t.get("TimeWorked") or 0),
            Status=t.get("Status"),
            TimeLeft=int(t.get("TimeLeft") or 0),
            Told=_date(t.get("Told")),
            Starts=_date(t.get("Starts")),
            Started=_date(t.get("Started")),
            Due=_date(t.get("Due")),
            Resolved=_date(t.get("Resolved")),
            LastUpdatedBy=self._user_id(t.get("LastUpdatedBy")),
            LastUpdated=_date(t.get("LastUpdated")),
            Creator=self._user_id(t.get("Creator")),
            Created=_date(t.get("Created")),
        )
        for n, role in enumerate(("Requestor", "Cc", "AdminCc")):
            role_group = -(ticket_id * 10 + n + 3) - 10**9
            self._insert(
                "Groups",
                id=role_group,
                Name=role,
                Domain="RT::Ticket-Role",
                Instance=ticket_id,
            )
            for ref in t.get(role) or []:
                member = (
                    self._user_id(ref) if ref.get("type") == "user" else int(ref["id"])
                )
                self._insert("GroupMembers", GroupId=role_group, MemberId=member)
        for cf in t.get("CustomFields") or []:
            for value in cf.get("values") or []:
                self._insert(
                    "ObjectCustomFieldValues",
                    CustomField=int(cf["id"]),
                    ObjectType="RT::Ticket",
                    ObjectId=ticket_id,
                    Content=value,
                )
        for link in t.get("_hyperlinks") or []:
            kind = LINK_REFS.get(link.get("ref", ""))
            if kind is None:
                continue
            local = int(link["id"]) if link.get("type") == "ticket" else 0
            self._insert(
                "Links",
                Type=kind,
                LocalBase=ticket_id,
                LocalTarget=local,
                Target=link.get("_url", "") if not local else "",
            )
        # The history list carries each transaction's fields, one call per page
        # (RT 5.0's single-transaction endpoint fails on some types).
        for txn in self.items(f"ticket/{ticket_id}/history", fields=TXN_FIELDS):
            self._mirror_transaction(txn, ticket_id)

    def _mirror_transaction(self, txn: dict, ticket_id: int) -> None:
        txn_id = int(txn["id"])
        self._insert(
            "Transactions",
            id=txn_id,
            ObjectType="RT::Ticket",
            ObjectId=ticket_id,
            TimeTaken=int(txn.get("TimeTaken") or 0),
            Type=txn.get("Type"),
            Field=txn.get("Field"),
            OldValue=txn.get("OldValue"),
            NewValue=txn.get("NewValue"),
            Data=txn.get("Data"),
            Creator=self._user_id(txn.get("Creator")),
            Created=_date(txn.get("Created")),
        )
        if txn.get("Type") not in MESSAGE_TYPES:
            return
        for item in self.items(f"transaction/{txn_id}/attachments"):
            a = self.get(f"attachment/{item['id']}")
            parent = a.get("Parent")
            parent = parent.get("id") if isinstance(parent, dict) else parent
            self._insert(
                "Attachments",
                id=int(a["id"]),
                TransactionId=txn_id,
                Parent=int(parent or 0),
                MessageId=a.get("MessageId"),
                Subject=a.get("Subject"),
                Filename=a.get("Filename"),
                ContentType=a.get("ContentType"),
                ContentEncoding="none",
                Headers=a.get("Headers"),
                Content=base64.b64decode(a.get("Content") or ""),
                Creator=self._user_id(a.get("Creator")),
                Created=_date(a.get("Created")),
            )

    # -- Source protocol --------------------------------------------------------------------
    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[Row]:
        cursor = self.db.execute(sql.replace("%s", "?"), params)
        names = [d[0].lower() for d in cursor.description]
        for values in cursor:
            yield dict(zip(names, values, strict=True))

    def close(self) -> None:
        self.db.close()
