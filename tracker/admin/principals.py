"""Users and groups. Memberships change only through tracker.services; the user page
shows memberships and grants read-only (django.contrib.auth groups and permissions are
not how the tracker grants rights, so they are not offered)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group as AuthGroup
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from tracker import rights, services
from tracker.admin.acl import grant_url, revoke_url
from tracker.admin.base import (
    CONFIRM_TEMPLATE,
    FORM_TEMPLATE,
    RightGatedAdmin,
    call_service,
    change_url,
    html_table,
    link,
    object_link,
    render_page,
    viewable_object,
)
from tracker.admin.forms import (
    AddGroupMemberForm,
    GroupAdminForm,
    PrincipalKind,
    UserChangeAdminForm,
    UserCreationAdminForm,
)
from tracker.models import ACE, Group, GroupMember, SystemGroup, User
from tracker.services.users import record_user_saved, stored_user_values

# django.contrib.auth's permission groups are not tracker groups; offering both would
# suggest a second way to grant rights.
if admin.site.is_registered(AuthGroup):
    admin.site.unregister(AuthGroup)


def grants_table(grants: QuerySet[ACE], next_url: str) -> SafeString:
    return html_table(
        ["Right", "Queue", ""],
        (
            (
                ace.right,
                ace.queue.name if ace.queue_id else "All queues",
                link(revoke_url(ace, next_url), "Revoke"),
            )
            for ace in grants.select_related("queue").order_by("queue__name", "right")
        ),
        empty="No rights granted directly.",
    )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users need AdminUsers. System users (Nobody, RT_System) are read-only."""

    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (
            "Identity",
            {
                "fields": [
                    "real_name",
                    "email",
                    "organization",
                    "language",
                    "time_zone",
                ]
            },
        ),
        (
            "Access",
            {"fields": ["is_privileged", "is_active", "is_staff", "is_superuser"]},
        ),
        ("Preferences", {"fields": ["notify_own_actions"]}),
        ("Groups and rights", {"fields": ["tracker_groups", "direct_grants"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "email",
                    "real_name",
                    "is_privileged",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        )
    ]
    list_display = [
        "username",
        "real_name",
        "email",
        "is_privileged",
        "is_active",
        "is_staff",
    ]
    list_filter = ["is_privileged", "is_active", "is_staff", "is_superuser"]
    search_fields = ["username", "real_name", "email", "organization"]
    filter_horizontal = []
    readonly_fields = ["last_login", "date_joined", "tracker_groups", "direct_grants"]

    def _may_admin(self, request: HttpRequest) -> bool:
        return rights.has_right(request.user, rights.ADMIN_USERS)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_admin(request)

    def has_view_permission(
        self, request: HttpRequest, obj: User | None = None
    ) -> bool:
        return self._may_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may_admin(request)

    def has_change_permission(
        self, request: HttpRequest, obj: User | None = None
    ) -> bool:
        if not self._may_admin(request):
            return False
        if obj is None:
            return True
        # Only a superuser may change a superuser (else AdminUsers could take one over).
        return not obj.is_system and (request.user.is_superuser or not obj.is_superuser)

    def has_delete_permission(
        self, request: HttpRequest, obj: User | None = None
    ) -> bool:
        # Deleting would drop grants and memberships without history, and users own
        # history rows; disable a user (untick Active) instead, as RT does.
        return False

    def save_model(
        self, request: HttpRequest, obj: User, form: Any, change: bool
    ) -> None:
        # The admin's view runs in one atomic block: the history goes with the change.
        before = stored_user_values(obj) if change else None
        super().save_model(request, obj, form, change)
        record_user_saved(user=obj, before=before, actor=request.user)

    def get_readonly_fields(
        self, request: HttpRequest, obj: User | None = None
    ) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields.append("is_superuser")
        return fields

    @admin.display(description="Groups")
    def tracker_groups(self, obj: User) -> SafeString | str:
        if obj.pk is None:
            return "—"
        computed = [
            SystemGroup.EVERYONE,
            SystemGroup.PRIVILEGED if obj.is_privileged else SystemGroup.UNPRIVILEGED,
        ]
        memberships = obj.group_memberships.select_related("group").order_by(
            "group__name"
        )
        return html_table(
            ["Group", "Membership"],
            [
                *(
                    (name, "system group (from the Privileged flag)")
                    for name in computed
                ),
                *((object_link(m.group), "direct member") for m in memberships),
            ],
        )

    @admin.display(description="Rights granted to this user")
    def direct_grants(self, obj: User) -> SafeString | str:
        if obj.pk is None:
            return "—"
        here = change_url(obj)
        return format_html(
            "{}<p>{}</p>",
            grants_table(obj.grants.all(), here),
            link(
                grant_url(kind=PrincipalKind.USER, user=obj.username, next_url=here),
                "Grant a right to this user",
            ),
        )


@admin.register(Group)
class GroupAdmin(RightGatedAdmin):
    """User-defined groups are edited here; system groups (Everyone, Privileged,
    Unprivileged) have computed membership and are read-only."""

    admin_right = rights.ADMIN_GROUPS
    form = GroupAdminForm
    list_display = ["name", "domain", "description", "is_active", "member_count"]
    list_filter = ["domain", "is_active"]
    search_fields = ["name", "description"]
    fields = ["name", "description", "is_active", "domain", "members", "group_grants"]
    readonly_fields = ["domain", "members", "group_grants"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Group]:
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    def get_fields(self, request: HttpRequest, obj: Group | None = None) -> list[str]:
        if obj is None:
            return ["name", "description", "is_active"]
        return self.fields

    def has_change_permission(
        self, request: HttpRequest, obj: Group | None = None
    ) -> bool:
        return super().has_change_permission(request, obj) and not (
            obj is not None and obj.is_system
        )

    def has_delete_permission(
        self, request: HttpRequest, obj: Group | None = None
    ) -> bool:
        # Deleting would drop memberships and grants without history; disable instead.
        return False

    @admin.display(description="Direct members", ordering="member_count")
    def member_count(self, obj: Group) -> int | str:
        return "computed" if obj.is_system else obj.member_count

    @admin.display(description="Members")
    def members(self, obj: Group) -> SafeString | str:
        if obj.is_system:
            return (
                "Computed: Everyone holds every user; Privileged and Unprivileged "
                "follow each user's Privileged flag."
            )
        memberships = obj.memberships.select_related("user", "member_group").order_by(
            "member_group__name", "user__username"
        )
        table = html_table(
            ["Member", "Kind", ""],
            (
                (
                    object_link(m.user or m.member_group),
                    "user" if m.user_id else "group",
                    link(self._url("member_remove", obj.pk, m.pk), "Remove"),
                )
                for m in memberships
            ),
            empty="No members yet.",
        )
        return format_html(
            "{}<p>{}</p>", table, link(self._url("member_add", obj.pk), "Add a member")
        )

    @admin.display(description="Rights granted to this group")
    def group_grants(self, obj: Group) -> SafeString:
        here = change_url(obj)
        return format_html(
            "{}<p>{}</p>",
            grants_table(obj.grants.all(), here),
            link(
                grant_url(kind=PrincipalKind.GROUP, group=obj.pk, next_url=here),
                "Grant a right to this group",
            ),
        )

    # --- membership pages, each calling one service ---------------------------------

    def _url(self, name: str, *args: object) -> str:
        return reverse(f"admin:tracker_group_{name}", args=args)

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/members/add/",
                wrap(self.add_member_view),
                name="tracker_group_member_add",
            ),
            path(
                "<path:object_id>/members/<int:membership_id>/remove/",
                wrap(self.remove_member_view),
                name="tracker_group_member_remove",
            ),
            *super().get_urls(),
        ]

    def _group(self, request: HttpRequest, object_id: str) -> Group:
        return viewable_object(self, request, object_id, "group")

    def add_member_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        group = self._group(request, object_id)
        form = AddGroupMemberForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            member = form.member()
            added = call_service(
                request,
                partial(
                    services.add_group_member,
                    group=group,
                    member=member,
                    actor=request.user,
                ),
                success=f"Added {member} to {group}.",
            )
            if added:
                return HttpResponseRedirect(change_url(group))
        return render_page(
            self,
            request,
            FORM_TEMPLATE,
            title=f"Add a member to {group}",
            obj=group,
            form=form,
            submit_label="Add member",
        )

    def remove_member_view(
        self, request: HttpRequest, object_id: str, membership_id: int
    ) -> HttpResponse:
        group = self._group(request, object_id)
        membership = get_object_or_404(
            GroupMember.objects.select_related("user", "member_group"),
            pk=membership_id,
            group=group,
        )
        member = membership.user or membership.member_group
        if request.method == "POST":
            call_service(
                request,
                partial(
                    services.remove_group_member,
                    group=group,
                    member=member,
                    actor=request.user,
                ),
                success=f"Removed {member} from {group}.",
            )
            return HttpResponseRedirect(change_url(group))
        return render_page(
            self,
            request,
            CONFIRM_TEMPLATE,
            title="Remove a member",
            obj=group,
            question=f"Remove {member} from the group {group}?",
            submit_label="Yes, remove",
        )
