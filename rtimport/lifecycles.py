"""RT lifecycles, read from RT's configuration, as local lifecycles.

RT keeps `%Lifecycles` in Perl: the site configuration files (RT_SiteConfig.pm and
RT_SiteConfig.d/*.pm, given with `--rt-config`) and, since RT 5, settings edited in the
web UI, stored in the Configurations table as Data::Dumper text (read from the
database source). Perl files are Perl programs, so `perl` reads them: a short reader
script (below) defines `Set` and ignores every other call, evaluates each file and the
database setting, and prints the lifecycles as JSON.

RT's format and the local one share their shape (initial/active/inactive, transitions
with '' for creation, defaults, rights, actions); the differences are that RT's rights
are a hash, which becomes a list in RT's matching order, and RT's actions are a list of
pattern => {label, update} pairs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction

from lifecycles import engine, registry
from lifecycles.models import Lifecycle, LifecycleMap

if TYPE_CHECKING:
    from rtimport.importer import Importer

# RT's own lifecycles that have no use here: assets are not imported, and RT's approvals
# queue is skipped.
RT_ONLY = {"approvals", "assets"}

# Reads site configuration files and a database setting; prints {"lifecycles", "errors"}.
# Files run with `do`, as RT runs them; the database text runs in a Safe compartment.
READER = r"""
use strict; use warnings;
use JSON::PP (); use Safe ();
our %Lifecycles;
my @errors;
{
    no strict 'refs';
    *{"main::Set"} = sub (\[$@%]@) {
        my ($ref, @values) = @_;
        if (ref $ref eq 'HASH') { %$ref = (%$ref, @values) }
        elsif (ref $ref eq 'ARRAY') { @$ref = @values }
        else { $$ref = $values[0] }
        return 1;
    };
}
sub AUTOLOAD { return }
package RT { sub AUTOLOAD { return bless {}, 'RT::Stub' } }
package RT::Stub { sub AUTOLOAD { return } sub DESTROY {} }
package main;
my $job = JSON::PP::decode_json(do { local $/; <STDIN> });
for my $file (@{ $job->{files} }) {
    unless (-r $file) { push @errors, "$file: cannot read"; next }
    local $@;
    do $file;
    push @errors, "$file: $@" if $@;
}
my %result = %Lifecycles;
if (defined $job->{database}) {
    my ($type, $text) = @{ $job->{database} };
    my $value = ($type // '') =~ /json/i
        ? eval { JSON::PP::decode_json($text) }
        : Safe->new->reval($text);
    if (ref $value eq 'HASH') { %result = %$value }
    else { push @errors, "Configurations row Lifecycles: " . ($@ || 'not a hash') }
}
print JSON::PP->new->canonical->allow_unknown->encode(
    { lifecycles => \%result, errors => \@errors });
"""


def config_files(paths: list[str]) -> list[Path]:
    """RT_SiteConfig.pm then RT_SiteConfig.d/*.pm, in RT's order, for each path given
    (a file, or RT's etc directory)."""
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files += [p for p in [path / "RT_SiteConfig.pm"] if p.exists()]
            files += sorted((path / "RT_SiteConfig.d").glob("*.pm"))
        else:
            files.append(path)
    return files


def database_setting(imp: Importer) -> tuple[str, str] | None:
    """RT 5's Lifecycles setting saved from the web UI, if any."""
    has_table = getattr(imp.source, "has_table", None)
    if has_table is None or not has_table("Configurations"):
        return None
    rows = list(
        imp.source.rows(
            "SELECT ContentType, Content FROM Configurations "
            "WHERE Name = 'Lifecycles' AND Disabled = 0 ORDER BY id DESC"
        )
    )
    if not rows:
        return None
    return rows[0]["contenttype"] or "perl", rows[0]["content"] or ""


def read_rt_lifecycles(
    files: list[Path], database: tuple[str, str] | None
) -> tuple[dict[str, Any], list[str]]:
    """RT's %Lifecycles (the database setting wins over the files, as in RT) and the
    problems met reading them."""
    if not files and database is None:
        return {}, []
    perl = shutil.which("perl")
    if perl is None:
        return {}, ["perl is not installed: RT's configuration cannot be read"]
    job = {"files": [str(f) for f in files], "database": database}
    done = subprocess.run(  # noqa: S603 - our own reader script, paths as data
        [perl, "-e", READER],
        input=json.dumps(job).encode(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        return {}, [f"perl: {done.stderr.decode(errors='replace').strip()[:500]}"]
    result = json.loads(done.stdout)
    return result["lifecycles"], result["errors"]


def _statuses(value: Any) -> list[str]:
    return [str(s).lower() for s in value or [] if str(s).strip()]


def _rights(raw: Any) -> list[list[str]]:
    """RT checks 'from -> to', then '* -> to', then 'from -> *', then '* -> *'."""
    if not isinstance(raw, dict):
        return []
    pairs = []
    for pattern, right in raw.items():
        parsed = engine.parse_pattern(pattern)
        if parsed is None:
            continue
        old, new = (s.lower() for s in parsed)
        rank = (old == engine.WILDCARD) + 2 * (new == engine.WILDCARD)
        pairs.append((rank, f"{old} -> {new}", str(right)))
    return [[pattern, right] for _, pattern, right in sorted(pairs)]


def _actions(raw: Any) -> list[dict[str, str]]:
    if isinstance(raw, dict):
        items = list(raw.items())
    elif isinstance(raw, list):
        items = list(zip(raw[::2], raw[1::2], strict=False))
    else:
        return []
    actions = []
    for pattern, info in items:
        parsed = engine.parse_pattern(pattern)
        if parsed is None or not isinstance(info, dict):
            continue
        actions.append(
            {
                "from": parsed[0].lower(),
                "to": parsed[1].lower(),
                "label": str(info.get("label") or f"{parsed[0]} -> {parsed[1]}"),
                "update": str(info.get("update") or "").lower(),
            }
        )
    return actions


def to_definition(rt: dict[str, Any]) -> dict[str, Any]:
    """The local dict form of one RT lifecycle."""
    initial, active, inactive = (
        _statuses(rt.get(k)) for k in ("initial", "active", "inactive")
    )
    statuses = initial + active + inactive
    raw_transitions = rt.get("transitions")
    if isinstance(raw_transitions, dict) and raw_transitions:
        transitions = {str(k).lower(): _statuses(v) for k, v in raw_transitions.items()}
    else:
        # RT without transitions lets any status move to any other.
        transitions = {"": initial or statuses[:1]}
        transitions |= {s: [t for t in statuses if t != s] for s in statuses}
    raw_defaults = rt.get("defaults") if isinstance(rt.get("defaults"), dict) else {}
    defaults = {
        k: str(v).lower() for k, v in raw_defaults.items() if k in engine.DEFAULT_KEYS
    }
    defaults.setdefault("on_create", (transitions.get("") or initial or statuses)[0])
    return {
        "type": "ticket",
        "initial": initial,
        "active": active,
        "inactive": inactive,
        "transitions": transitions,
        "rights": _rights(rt.get("rights")),
        "actions": _actions(rt.get("actions")),
        "defaults": defaults,
    }


def _normal(name: str, definition: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return engine.Lifecycle.from_definition(name, definition).to_definition()
    except engine.LifecycleError:
        return None


def import_lifecycles(imp: Importer) -> None:
    found, errors = read_rt_lifecycles(
        config_files(imp.rt_config), database_setting(imp)
    )
    for problem in errors:
        imp.report.skip("lifecycle config", problem[:300])
    maps = found.pop("__maps__", None)
    changed = False
    for name, rt in sorted(found.items()):
        if name in RT_ONLY or not isinstance(rt, dict):
            continue
        if (rt.get("type") or "ticket") != "ticket":
            imp.report.skip("lifecycle", f"'{name}': {rt.get('type')} lifecycles")
            continue
        definition = to_definition(rt)
        problems = engine.validate_definition(definition)
        if problems:
            imp.report.skip("lifecycle", f"'{name}': {problems[0]}")
            continue
        local = Lifecycle.objects.filter(name=name).first()
        if local is not None and _normal(name, local.definition) == _normal(
            name, definition
        ):
            imp.report.exists("lifecycle")
            continue
        # RT is the source of truth in a migration: its definition replaces a local
        # lifecycle of the same name (a fresh installation has only the shipped ones).
        local = local or Lifecycle(name=name[:64])
        for key, value in definition.items():
            setattr(local, key, value)
        local.description = local.description or "Imported from RT"
        local.save()
        imp.report.add("lifecycle")
        changed = True
    if isinstance(maps, dict):
        changed |= _import_maps(imp, maps)
    if changed:
        transaction.on_commit(registry.bump_version)


def _import_maps(imp: Importer, maps: dict[str, Any]) -> bool:
    known = {lc.name: lc for lc in Lifecycle.objects.all()}
    changed = False
    for pattern, mapping in sorted(maps.items()):
        parsed = engine.parse_pattern(pattern)
        if parsed is None or not isinstance(mapping, dict):
            continue
        source, target = (known.get(n) for n in parsed)
        if source is None or target is None or source == target:
            continue
        mapping = {str(k).lower(): str(v).lower() for k, v in mapping.items()}
        if engine.validate_map(mapping, source.statuses, target.statuses):
            imp.report.skip("lifecycle map", f"'{pattern}': does not fit the statuses")
            continue
        row, created = LifecycleMap.objects.get_or_create(
            source=source, target=target, defaults={"mapping": mapping}
        )
        if created or row.mapping != mapping:
            row.mapping = mapping
            row.save()
            imp.report.add("lifecycle map")
            changed = True
        else:
            imp.report.exists("lifecycle map")
    return changed
