"""A throwaway dovecot (IMAP and POP3) on loopback for the polling tests: its own
configuration, passwd-file user and Maildir in a temporary directory, free ports."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER = "helpdesk"
PASSWORD = "s3cret pass"


def dovecot_available() -> bool:
    return (
        os.path.exists(DOVECOT)
        and os.path.exists("/usr/lib/dovecot/imap")
        and os.path.exists("/usr/lib/dovecot/pop3")
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Dovecot:
    root: Path
    imap_port: int
    pop3_port: int
    process: subprocess.Popen

    def imap(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=30)
        client.login(USER, PASSWORD)
        return client

    def create_folder(self, folder: str) -> None:
        client = self.imap()
        try:
            client.create(folder)
        finally:
            client.logout()

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        client = self.imap()
        try:
            status, data = client.append(folder, None, None, raw)
            assert status == "OK", data
        finally:
            client.logout()

    def messages(self, folder: str = "INBOX") -> list[bytes]:
        client = self.imap()
        try:
            status, _ = client.select(folder, readonly=True)
            if status != "OK":
                return []
            _, data = client.uid("SEARCH", None, "UNDELETED")
            found = []
            for uid in (data[0] or b"").split():
                _, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
                found += [item[1] for item in fetched if isinstance(item, tuple)]
            return found
        finally:
            client.logout()

    def empty(self) -> None:
        client = self.imap()
        try:
            for folder in ("INBOX", "Processed"):
                status, data = client.select(folder)
                if status == "OK" and int(data[0] or 0):
                    client.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
                    client.expunge()
        finally:
            client.logout()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=20)
        shutil.rmtree(self.root, ignore_errors=True)


def start_dovecot() -> Dovecot:
    # Mail processes may not run as root; the Maildir belongs to `nobody`, and the
    # directory must be reachable by it (pytest's tmp_path is private to root).
    nobody = pwd.getpwnam("nobody")
    root = Path(tempfile.mkdtemp(prefix="mailgate-dovecot-"))
    root.chmod(0o755)
    home = root / "home" / USER
    home.mkdir(parents=True)
    for path in (root / "home", home):
        os.chown(path, nobody.pw_uid, nobody.pw_gid)
    imap_port, pop3_port = _free_port(), _free_port()
    (root / "passwd").write_text(
        f"{USER}:{{PLAIN}}{PASSWORD}:{nobody.pw_uid}:{nobody.pw_gid}::{home}::\n"
    )
    config = root / "dovecot.conf"
    config.write_text(
        f"""
base_dir = {root}/run
state_dir = {root}/state
instance_name = mailgate-test-{imap_port}
log_path = {root}/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:~/Maildir
pop3_uidl_format = %g
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {pop3_port}
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""
    )
    process = subprocess.Popen(  # noqa: S603 - the system's dovecot, our config
        [DOVECOT, "-F", "-c", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    server = Dovecot(root, imap_port, pop3_port, process)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (
                (root / "dovecot.log").read_text()
                if (root / "dovecot.log").exists()
                else ""
            )
            output = process.stdout.read().decode() if process.stdout else ""
            shutil.rmtree(root, ignore_errors=True)
            raise RuntimeError(f"dovecot exited: {output}\n{log}")
        try:
            server.imap().logout()
            socket.create_connection(("127.0.0.1", pop3_port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError("dovecot did not start within 30 seconds")
