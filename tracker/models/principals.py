"""Users and groups: the principals that rights are granted to."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

NOBODY_USERNAME = "Nobody"
SYSTEM_USERNAME = "RT_System"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(
        self, username: str, email: str = "", password: str | None = None, **extra: Any
    ) -> User:
        if not username:
            raise ValueError("A username is required.")
        user = self.model(username=username, email=self.normalize_email(email), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(
        self, username: str, email: str = "", password: str | None = None, **extra: Any
    ) -> User:
        extra.update(is_staff=True, is_superuser=True, is_privileged=True)
        return self.create_user(username, email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(username=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person (or a system principal) known to the tracker.

    Privileged users are staff and see the full UI; unprivileged users are customers
    who only get the self-service view. `is_active=False` means disabled: no rights.
    `is_staff` only opens the Django admin; `is_superuser` holds RT's SuperUser right.
    """

    username = models.CharField(
        max_length=150, unique=True, validators=[UnicodeUsernameValidator()]
    )
    email = models.EmailField(blank=True)
    real_name = models.CharField(max_length=200, blank=True)
    is_privileged = models.BooleanField(
        default=False, help_text="Staff member (member of the Privileged system group)."
    )
    is_active = models.BooleanField(default=True, help_text="Unticked means disabled.")
    is_staff = models.BooleanField(default=False, help_text="May use the admin site.")
    is_system = models.BooleanField(
        default=False, editable=False, help_text="Nobody and RT_System."
    )
    language = models.CharField(max_length=20, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    organization = models.CharField(max_length=200, blank=True)
    notify_own_actions = models.BooleanField(
        default=False, help_text="Send me mail about changes I make myself."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["email"]

    class Meta:
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="user_email_ci_unique",
            )
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def display_name(self) -> str:
        return self.real_name or self.username

    @property
    def is_nobody(self) -> bool:
        return self.username == NOBODY_USERNAME and self.is_system

    @property
    def is_rt_system(self) -> bool:
        return self.username == SYSTEM_USERNAME and self.is_system


class GroupDomain(models.TextChoices):
    USER_DEFINED = "userdefined", "User-defined"
    SYSTEM = "system", "System"


class SystemGroup(models.TextChoices):
    EVERYONE = "Everyone"
    PRIVILEGED = "Privileged"
    UNPRIVILEGED = "Unprivileged"


class Group(models.Model):
    """A group of users and groups. System groups have computed membership."""

    name = models.CharField(max_length=200)
    description = models.CharField(max_length=255, blank=True)
    domain = models.CharField(
        max_length=20, choices=GroupDomain.choices, default=GroupDomain.USER_DEFINED
    )
    is_active = models.BooleanField(default=True, help_text="Unticked means disabled.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "name"], name="group_domain_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_system(self) -> bool:
        return self.domain == GroupDomain.SYSTEM


class GroupMember(models.Model):
    """Direct membership: a user or a group inside a user-defined group."""

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="group_memberships",
    )
    member_group = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="parent_memberships",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, member_group__isnull=True)
                | models.Q(user__isnull=True, member_group__isnull=False),
                name="groupmember_exactly_one_member",
            ),
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=models.Q(user__isnull=False),
                name="groupmember_user_unique",
            ),
            models.UniqueConstraint(
                fields=["group", "member_group"],
                condition=models.Q(member_group__isnull=False),
                name="groupmember_group_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.member_group} in {self.group}"
