"""RT lifecycles from RT's configuration: the site config files (--rt-config) and RT 5's
Configurations table, read from the real RT 5 database or from an SQLite copy of it
where a test needs RT's queue or database setting changed (RT's own database is
shared and stays as it is)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from lifecycles.models import Lifecycle, LifecycleMap
from queues.models import Queue
from rtimport import lifecycles
from rtimport.importer import Importer
from rtimport.sources import DatabaseSource
from tests.rtimport.conftest import RT5_URL
from tests.rtimport.rt_copy import RT_SCHEMAS, make_sqlite_copy

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("perl") is None, reason="needs perl"),
]

# A custom lifecycle as an RT admin writes it in RT_SiteConfig.d: RT's statuses plus
# "waiting", its own rights and actions, and a map from RT's default lifecycle.
SUPPORT_PM = """
Set($rtname, 'example.org');
Plugin('RT::Extension::Nowhere');
Set($WebPath, RT->Config->Get('WebPath') || '');
Set(%Lifecycles,
    support => {
        type     => 'ticket',
        initial  => ['new'],
        active   => ['open', 'waiting', 'stalled'],
        inactive => ['resolved', 'rejected', 'deleted'],
        defaults => { on_create => 'new', on_merge => 'resolved' },
        transitions => {
            ''       => [qw(new open resolved)],
            new      => [qw(open waiting stalled resolved rejected deleted)],
            open     => [qw(new waiting stalled resolved rejected deleted)],
            waiting  => [qw(open stalled resolved rejected deleted)],
            stalled  => [qw(new open waiting rejected resolved deleted)],
            resolved => [qw(new open waiting stalled rejected deleted)],
            rejected => [qw(new open waiting stalled resolved deleted)],
            deleted  => [qw(new open waiting stalled rejected resolved)],
        },
        rights => {
            '* -> *'          => 'ModifyTicket',
            '* -> deleted'    => 'DeleteTicket',
            'resolved -> open' => 'ReopenTicket',
        },
        actions => [
            'new -> open'     => { label => 'Open It', update => 'Respond' },
            'open -> waiting' => { label => 'Wait for customer', update => 'Respond' },
            '* -> resolved'   => { label => 'Resolve', update => 'Comment' },
        ],
    },
    __maps__ => {
        'default -> support' => { map { $_ => $_ } qw(new open stalled resolved rejected deleted) },
        'support -> default' => {
            (map { $_ => $_ } qw(new open stalled resolved rejected deleted)),
            waiting => 'stalled',
        },
    },
);
1;
"""

# RT 5's web UI saves %Lifecycles with Data::Dumper into Configurations.
DATABASE_SETTING = """{
  'support' => {
    'active' => ['open', 'escalated'],
    'inactive' => ['resolved', 'deleted'],
    'initial' => ['new'],
    'transitions' => {
      '' => ['new', 'open'],
      'new' => ['open', 'escalated', 'resolved', 'deleted'],
      'open' => ['escalated', 'resolved', 'deleted'],
      'escalated' => ['open', 'resolved', 'deleted'],
      'resolved' => ['open'],
      'deleted' => ['open']
    }
  }
}"""


@pytest.fixture
def site_config(tmp_path) -> Path:
    """An RT etc directory: RT_SiteConfig.pm and one file in RT_SiteConfig.d."""
    etc = tmp_path / "etc"
    (etc / "RT_SiteConfig.d").mkdir(parents=True)
    (etc / "RT_SiteConfig.pm").write_text("Set($Timezone, 'UTC');\n1;\n")
    (etc / "RT_SiteConfig.d" / "70-support.pm").write_text(SUPPORT_PM)
    return etc


@pytest.fixture(scope="module")
def sqlite_rt(rt, tmp_path_factory) -> Path:
    if not (RT_SCHEMAS / "schema.SQLite").exists():
        pytest.skip(f"RT's schema.SQLite is not in {RT_SCHEMAS}.")
    path = tmp_path_factory.mktemp("rt-lifecycles") / "rt5.db"
    make_sqlite_copy(rt, path)
    return path


@pytest.fixture
def changed_rt(sqlite_rt, tmp_path):
    """A copy of the SQLite RT that a test may change with `sql`."""
    path = tmp_path / "rt5.db"
    shutil.copy(sqlite_rt, path)

    def change(statement: str, params: tuple = ()) -> str:
        with sqlite3.connect(path) as conn:
            conn.execute(statement, params)
        return f"sqlite:///{path}"

    change.url = f"sqlite:///{path}"
    return change


def _import_lifecycles(url: str, rt_config: list[str]) -> Importer:
    imp = Importer(DatabaseSource(url), rt_config=rt_config, source_name="test-lc")
    lifecycles.import_lifecycles(imp)
    imp.source.close()
    return imp


def test_site_config_lifecycle_keeps_rt_statuses_and_transitions(rt, site_config):
    _import_lifecycles(RT5_URL, [str(site_config)])
    support = Lifecycle.objects.get(name="support")
    assert (support.initial, support.active, support.inactive) == (
        ["new"],
        ["open", "waiting", "stalled"],
        ["resolved", "rejected", "deleted"],
    )
    engine = support.as_engine()
    assert engine.can_transition("open", "waiting")
    assert not engine.can_transition("waiting", "new")
    assert engine.creatable_statuses() == ("new", "open", "resolved")
    assert support.defaults == {"on_create": "new", "on_merge": "resolved"}


def test_site_config_rights_keep_rt_precedence(rt, site_config):
    _import_lifecycles(RT5_URL, [str(site_config)])
    engine = Lifecycle.objects.get(name="support").as_engine()
    assert engine.required_right("resolved", "open") == "ReopenTicket"
    assert engine.required_right("open", "deleted") == "DeleteTicket"
    assert engine.required_right("open", "waiting") == "ModifyTicket"


def test_site_config_actions_become_lifecycle_actions(rt, site_config):
    _import_lifecycles(RT5_URL, [str(site_config)])
    actions = Lifecycle.objects.get(name="support").actions
    assert {"from": "open", "to": "waiting", "label": "Wait for customer"}.items() <= (
        actions[1].items()
    )
    assert actions[1]["update"] == "respond"
    assert actions[2] == {
        "from": "*",
        "to": "resolved",
        "label": "Resolve",
        "update": "comment",
    }


def test_site_config_maps_become_lifecycle_maps(rt, site_config):
    _import_lifecycles(RT5_URL, [str(site_config)])
    back = LifecycleMap.objects.get(source__name="support", target__name="default")
    assert back.mapping["waiting"] == "stalled"
    assert LifecycleMap.objects.filter(
        source__name="default", target__name="support"
    ).exists()


def test_the_installed_rt_site_config_reads_cleanly(rt):
    etc = Path("/etc/request-tracker5")
    if not (etc / "RT_SiteConfig.pm").exists():
        pytest.skip("RT's site configuration is not installed here.")
    before = set(Lifecycle.objects.values_list("name", flat=True))
    imp = _import_lifecycles(RT5_URL, [str(etc)])
    assert not imp.report.skipped.get("lifecycle config")
    assert set(Lifecycle.objects.values_list("name", flat=True)) == before


def test_a_second_run_finds_the_lifecycle_already_there(rt, site_config):
    _import_lifecycles(RT5_URL, [str(site_config)])
    again = _import_lifecycles(RT5_URL, [str(site_config)])
    assert again.report.existing["lifecycle"] == 1
    assert again.report.imported["lifecycle"] == 0
    assert again.report.existing["lifecycle map"] == 2


def test_queue_takes_the_lifecycle_rt_gave_it(changed_rt, site_config):
    url = changed_rt(
        "UPDATE Queues SET Lifecycle = 'support' WHERE Name = 'Import Beta'"
    )
    Importer(
        DatabaseSource(url),
        queues=["Import Beta"],
        rt_config=[str(site_config)],
        source_name="test-lc",
    ).run()
    assert Queue.objects.get(name="Import Beta").lifecycle.name == "support"


def test_queue_with_a_lifecycle_nobody_configured_keeps_default(changed_rt):
    url = changed_rt(
        "UPDATE Queues SET Lifecycle = 'support' WHERE Name = 'Import Beta'"
    )
    report = Importer(
        DatabaseSource(url), queues=["Import Beta"], source_name="test-lc"
    ).run()
    assert Queue.objects.get(name="Import Beta").lifecycle.name == "default"
    assert "'support' unknown here: queue uses default" in report.skipped["lifecycle"]


def test_database_setting_wins_over_the_site_config(changed_rt, site_config):
    url = changed_rt(
        "INSERT INTO Configurations (Name, Content, ContentType, Disabled) "
        "VALUES ('Lifecycles', ?, 'perl', 0)",
        (DATABASE_SETTING,),
    )
    _import_lifecycles(url, [str(site_config)])
    support = Lifecycle.objects.get(name="support")
    assert support.active == ["open", "escalated"]
    assert support.defaults == {"on_create": "new"}


def test_perl_code_in_the_database_setting_is_not_run(changed_rt, tmp_path):
    marker = tmp_path / "ran"
    url = changed_rt(
        "INSERT INTO Configurations (Name, Content, ContentType, Disabled) "
        "VALUES ('Lifecycles', ?, 'perl', 0)",
        (f"system('touch {marker}'); {{}}",),
    )
    imp = _import_lifecycles(url, [])
    assert not marker.exists()
    assert imp.report.skipped["lifecycle config"]


def test_lifecycle_rt_cannot_express_here_is_skipped_with_the_reason(
    changed_rt, tmp_path
):
    broken = tmp_path / "RT_SiteConfig.pm"
    broken.write_text(
        "Set(%Lifecycles, odd => { initial => ['new'], active => [], inactive => ['done'],"
        " transitions => { '' => ['new'], new => ['gone'] } });\n1;\n"
    )
    imp = _import_lifecycles(changed_rt.url, [str(broken)])
    assert not Lifecycle.objects.filter(name="odd").exists()
    [reason] = imp.report.skipped["lifecycle"]
    assert reason.startswith("'odd': ")
