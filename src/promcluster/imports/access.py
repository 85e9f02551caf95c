"""Who may import each kind at all: checked before an upload is even saved (issue 16), so a
user refused the kind cannot make the server read a file. The checks of each row in
``writers`` then decide which records the user may change."""

from promcluster import labels
from promcluster.auth.models import User
from promcluster.errors import PermissionDenied

# Members and projects belong to a cluster, which only its manager (or an administrator) edits;
# a representative imports its own enterprise's card, products, figures, supplies and needs.
EVERYONE = frozenset({"admin", "cluster_manager", "enterprise_rep"})
MANAGERS = frozenset({"admin", "cluster_manager"})
ADMINS = frozenset({"admin"})
IMPORT_ROLES: dict[str, frozenset[str]] = {
    "enterprises": EVERYONE,
    "members": MANAGERS,
    "products": EVERYONE,
    "supplies": EVERYONE,
    "projects": MANAGERS,
    "needs": EVERYONE,
    "figures": EVERYONE,
    # Official regional statistics are the platform's reference, not one firm's data.
    "emiss": MANAGERS,
    # Official open data rewrites the cards of thousands of firms: administrators only.
    "fns-sme": ADMINS,
    "fns-headcount": ADMINS,
    "fns-revenue": ADMINS,
    # Procurement creates customers and suppliers and rewrites their purchases by the thousand.
    "procurement": ADMINS,
    # An official register: loaded by the cluster office, never self-declared by a firm (a
    # representative's own products go in as «products»).
    "gisp-products": MANAGERS,
}


def require_import(user: User, kind: str) -> None:
    """Refuse ``user`` a kind its role may not import at all (see ``IMPORT_ROLES``)."""
    if user.role not in IMPORT_ROLES[kind]:
        who = ", ".join(labels.USER_ROLES[r] for r in sorted(IMPORT_ROLES[kind]))
        raise PermissionDenied(f"загружать {labels.IMPORT_KINDS[kind]} могут только: {who}")
    if user.role == "enterprise_rep" and user.enterprise_id is None:
        raise PermissionDenied(
            "ваша учётная запись не привязана к предприятию: загружать данные нельзя"
        )
