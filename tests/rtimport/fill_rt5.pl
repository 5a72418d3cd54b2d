#!/usr/bin/perl
# Fills a Request Tracker 5 installation with varied data through RT's own Perl API,
# for the import test. Idempotent: does nothing once the user "import-filled" exists
# (created last); an interrupted run is completed by the next one.
# Run as root on the machine where RT is installed:  perl tests/rtimport/fill_rt5.pl
use strict; use warnings;
use lib '/usr/local/share/request-tracker5/lib', '/usr/share/request-tracker5/lib';
use RT; RT::LoadConfig(); RT::Init();
use MIME::Entity;

my $sys = RT->SystemUser;
my $probe = RT::User->new($sys);
if ($probe->Load('import-filled') && $probe->id) { print "already filled\n"; exit 0; }

sub check { my ($what, $ok, $msg) = @_; die "$what failed: $msg\n" unless $ok; return $ok; }
sub soft { my ($what, $ok, $msg) = @_; print "note: $what: $msg\n" unless $ok; return $ok; }
use Encode qw(encode_utf8);

# --- users ----------------------------------------------------------------------
my %user;
for my $spec (
    [alice => 'Alice Admin', 1], [bob => 'Bob Builder', 1], [carol => 'Carol Customer', 0],
    [dave => 'Dave Dispatcher', 1], [erin => 'Erin External', 0], [frank => 'Frank Field', 0],
) {
    my ($name, $real, $priv) = @$spec;
    my $u = RT::User->new($sys);
    if ($u->Load($name) && $u->id) { $user{$name} = $u; next; }
    check("user $name", $u->Create(Name => $name, RealName => $real,
        EmailAddress => "$name\@example.org", Privileged => $priv,
        Organization => 'Example Org', Lang => 'en'));
    $user{$name} = $u;
}
my $gone = RT::User->new($sys);
$gone->Load('olduser');
$gone->id or check('disabled user', $gone->Create(Name => 'olduser', EmailAddress => 'old@example.org', Privileged => 1));
$gone->SetDisabled(1);

# --- groups and memberships (nested) ---------------------------------------------
sub group {
    my ($name, $desc) = @_;
    my $g = RT::Group->new($sys);
    $g->LoadUserDefinedGroup($name);
    $g->id or check("group $name", $g->CreateUserDefinedGroup(Name => $name, Description => $desc));
    return $g;
}
my $staff = group('Staff', 'All staff');
my $netops = group('NetOps', 'Network team');
for my $pair ([$netops, $user{bob}], [$netops, $user{dave}], [$staff, $user{alice}], [$staff, $netops]) {
    my ($g, $m) = @$pair;
    soft('member', $g->AddMember($m->PrincipalId)) unless $g->HasMember($m->PrincipalObj);
}
sub grant {
    my ($principal, $right, $object) = @_;
    soft("grant $right", $principal->GrantRight(Right => $right, Object => $object));
}

# --- queues, watchers, rights ----------------------------------------------------
my %queue;
for my $spec (['Import Alpha', 'alpha', 'First import queue'], ['Import Beta', 'beta', 'Second import queue']) {
    my ($name, $tag, $desc) = @$spec;
    my $q = RT::Queue->new($sys);
    $q->Load($name);
    $q->id or check("queue $name", $q->Create(Name => $name, Description => $desc,
        CorrespondAddress => "$tag\@example.org", CommentAddress => "$tag-comment\@example.org",
        SubjectTag => uc $tag));
    $queue{$tag} = $q;
    for my $right (qw(SeeQueue ShowTicket CreateTicket ReplyToTicket CommentOnTicket
                      ShowTicketComments OwnTicket ModifyTicket)) {
        grant($staff->PrincipalObj, $right, $q);
    }
    my $requestor_role = RT::Group->new($sys);
    $requestor_role->LoadRoleGroup(Object => $q, Name => 'Requestor');
    grant($requestor_role->PrincipalObj, $_, $q) for qw(ShowTicket ReplyToTicket);
}
soft('queue AdminCc', $queue{alpha}->AddWatcher(Type => 'AdminCc', PrincipalId => $netops->PrincipalId));
soft('queue Cc', $queue{beta}->AddWatcher(Type => 'Cc', PrincipalId => $user{alice}->PrincipalId));
grant($netops->PrincipalObj, 'SeeQueue', RT->System);
grant($user{alice}->PrincipalObj, 'AdminQueue', $queue{beta});

# --- custom fields -----------------------------------------------------------------
sub cf {
    my (%args) = @_;
    my $cf = RT::CustomField->new($sys);
    $cf->LoadByName(Name => $args{Name}, LookupType => 'RT::Queue-RT::Ticket');
    $cf->id or check("cf $args{Name}", $cf->Create(%args, LookupType => 'RT::Queue-RT::Ticket'));
    return $cf;
}
my $sev = cf(Name => 'Severity', Type => 'Select', MaxValues => 1, Description => 'How bad');
if (!$sev->Values->Count) {
    $sev->AddValue(Name => $_, SortOrder => $_ eq 'Low' ? 1 : $_ eq 'High' ? 2 : 3) for qw(Low High Critical);
}
soft('apply', $sev->AddToObject($_)) for grep { !$sev->IsAdded($_->id) } $queue{alpha}, $queue{beta};
my $host = cf(Name => 'Host', Type => 'Freeform', MaxValues => 0);
soft('apply', $host->AddToObject($queue{alpha})) unless $host->IsAdded($queue{alpha}->id);
my $note = cf(Name => 'Notes', Type => 'Text', MaxValues => 1);
soft('apply', $note->AddToObject(RT::Queue->new($sys))) unless $note->IsGlobal;

# --- tickets ---------------------------------------------------------------------------
my $binary = join '', map { chr($_ % 256) } 0 .. 4095;   # every byte value, NULs included
sub message {
    my (%args) = @_;
    my $top = MIME::Entity->build(Type => 'multipart/mixed', From => $args{from},
        Subject => $args{subject}, 'Message-ID' => "<$args{mid}\@import.test>");
    $top->attach(Type => 'text/plain', Charset => 'UTF-8', Encoding => 'quoted-printable',
        Data => [encode_utf8($args{body})]);
    for my $file (@{ $args{files} || [] }) {
        $top->attach(Type => $file->[1], Filename => $file->[0], Encoding => 'base64',
            Data => $file->[2]);
    }
    return $top;
}
sub as_user { my $cu = RT::CurrentUser->new; $cu->Load($_[0]->id); return $cu; }

my @tickets;
my @people = qw(carol erin frank);
for my $n (1 .. 24) {
    my $q = $n % 3 ? $queue{alpha} : $queue{beta};
    my $requestor = $user{ $people[$n % 3] };
    my $creator = as_user($requestor);
    my $t = RT::Ticket->new($sys);
    my %cf = ("CustomField-" . $sev->id => (qw(Low High Critical))[$n % 3]);
    $cf{"CustomField-" . $host->id} = ["host$n.example.org", "backup$n.example.org"] if $q->id == $queue{alpha}->id;
    $cf{"CustomField-" . $note->id} = "Line one of ticket $n\nLine two" if $n % 4 == 0;
    my ($id, undef, $msg) = $t->Create(
        Queue => $q->id, Subject => "Import sample $n: printer \x{2603} on floor $n",
        Requestor => [$requestor->EmailAddress],
        ($n % 2 ? (Cc => ['watcher' . $n . '@example.net']) : ()),
        ($n % 5 == 0 ? (AdminCc => [$user{dave}->EmailAddress]) : ()),
        Owner => ($n % 4 ? $user{bob}->id : RT->Nobody->id),
        Priority => $n % 10, TimeEstimated => 30,
        MIMEObj => message(from => $requestor->EmailAddress, subject => "Sample $n",
            mid => "create-$n", body => "The printer on floor $n is broken.\nCaf\x{e9} \x{2603}\n",
            files => ($n % 6 == 0 ? [["dump$n.bin", 'application/octet-stream', $binary . $n]] : [])),
        %cf,
    );
    check("ticket $n", $id, $msg);
    push @tickets, $t;
    my $staff_view = RT::Ticket->new(as_user($user{bob})); $staff_view->Load($id);
    if ($n % 2) {
        check("reply $n", $staff_view->Correspond(MIMEObj => message(from => 'bob@example.org',
            subject => "Re: $n", mid => "reply-$n", body => "Looking at it ($n).",
            files => ($n % 3 == 1 ? [["photo$n.png", 'image/png', "\x89PNG\r\n\x1a\n" . $binary]] : [])),
            TimeTaken => 5));
    }
    if ($n % 3 == 0) {
        check("comment $n", $staff_view->Comment(MIMEObj => message(from => 'bob@example.org',
            subject => "internal $n", mid => "comment-$n", body => "Internal note for $n.")));
    }
    if ($n % 4 == 1) {
        my $requestor_view = RT::Ticket->new($creator); $requestor_view->Load($id);
        check("follow-up $n", $requestor_view->Correspond(MIMEObj => message(
            from => $requestor->EmailAddress, subject => "Re: $n", mid => "followup-$n",
            body => "Still broken, see attached.", files => [["log$n.txt", 'text/plain', "line\n" x $n]])));
    }
    if ($n % 5 == 2) { check("resolve $n", $staff_view->SetStatus('resolved')); }
    elsif ($n % 5 == 3) { soft("open $n", $staff_view->SetStatus('open')); }
    elsif ($n % 7 == 0) { soft("stall $n", $staff_view->SetStatus('stalled')); }
    if ($n % 8 == 3) { $staff_view->SetPriority(42); $staff_view->SetSubject("Renamed sample $n"); }
}

# --- links and a merge ---------------------------------------------------------------
check('depends', $tickets[1]->AddLink(Type => 'DependsOn', Target => $tickets[2]->id));
check('member', $tickets[3]->AddLink(Type => 'MemberOf', Target => $tickets[4]->id));
check('refers', $tickets[5]->AddLink(Type => 'RefersTo', Target => $tickets[6]->id));
check('refers out', $tickets[7]->AddLink(Type => 'RefersTo', Target => 'https://wiki.example.org/printers'));
check('merge', $tickets[9]->MergeInto($tickets[8]->id));
check('merge 2', $tickets[11]->MergeInto($tickets[10]->id));

# --- a queue template and a scrip that map ------------------------------------------------
my $tpl = RT::Template->new($sys);
soft('template', $tpl->Create(Queue => $queue{beta}->id, Name => 'Beta notice',
    Description => 'Sent on resolve', Type => 'Simple',
    Content => "Subject: Resolved: {\$Ticket->Subject}\n\nTicket {\$Ticket->id} is resolved.\n"));
my $scrip = RT::Scrip->new($sys);
soft('scrip', $scrip->Create(Description => 'On Resolve Notify Requestors (beta)',
    ScripCondition => 'On Resolve', ScripAction => 'Notify Requestors',
    Template => 'Beta notice', Queue => $queue{beta}->id));
my $done = RT::User->new($sys);
check('marker', $done->Create(Name => 'import-filled', Privileged => 0, Comments => 'fill_rt5.pl ran'));
print "filled: ", scalar(@tickets), " tickets\n";
