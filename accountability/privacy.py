"""Who may see personal data, and how it is masked for everyone else."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

ADMIN_ROLE = "admin"


def mask_middle(value: str, keep_start: int, keep_end: int) -> str:
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def mask_id_number(value: str) -> str:
    """`5323**********123X`: the first four and the last four characters stay visible."""
    return mask_middle(value, 4, 4)


def mask_phone(value: str) -> str:
    """`138****1234`: the first three and the last four digits stay visible."""
    return mask_middle(value, 3, 4)


def mask_name(value: str) -> str:
    """`张*`, `欧阳**`: the family name stays, the given name is hidden."""
    if not value:
        return ""
    keep = 2 if len(value) >= 4 else 1
    return value[:keep] + "*" * (len(value) - keep)


def is_registry_admin(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Admins (and superusers) see ID numbers and phone numbers in full."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    cached = getattr(user, "_role_names", None)
    if cached is None:
        from .roles import role_names

        cached = role_names(user)
    return ADMIN_ROLE in cached
