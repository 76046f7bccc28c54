"""What a member of staff may see and do, and where: the one scoping mechanism.

Every view, API endpoint, export and form that touches site-bound data asks here, never with
its own ``site_id__in=`` filter (``tests/accounts/test_one_scoping_mechanism.py`` fails if one
appears elsewhere). In the spirit of netbox's ``RestrictedQuerySet.restrict(user, action)``:

- ``restrict(Model_or_queryset, user, *perms)`` — the rows at the sites where ``user`` holds
  every one of ``perms`` (``any_of=True``: at least one). Each site-bound model says where its
  site is with ``site_path`` (``"site"`` by default; ``"group__site"`` for an IOP session);
  ``SiteScopedQuerySet`` gives such models ``Model.objects.restrict(user, perm)``.
- ``get_for_user_or_404(Model_or_queryset, user, *perms, **lookup)`` — one such row, or 404:
  another site's record is indistinguishable from one that does not exist.
- ``sites_for`` / ``site_ids_for`` / ``holds_at`` / ``chosen_site`` — the sites themselves.

Roles are held per site. A role given as a group applies at every site the person works at
(``User.sites``); a ``SiteRole`` gives a role at one site only. So a prescriber at site A who
is front desk at site B finds B's patients with ``patients.view_patient`` but not with
``treatment.add_course``. ``user.has_perm`` answers "anywhere" (menus, decorators); which
rows and sites comes from here, with the action's permission.

The user's access (sites, and the permissions held at each) is read with one query (a UNION
over their groups, own permissions, sites and site roles) and kept on the user object for the
request; ``SiteAccessBackend`` answers ``has_perm`` from the same load.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import CharField, F, IntegerField, Model, QuerySet, Value
from django.db.models.functions import Concat
from django.http import Http404, HttpRequest, HttpResponse

from ketaclinic.apps.web.prepared_query import PreparedQuery

if TYPE_CHECKING:
    from ketaclinic.apps.accounts.models import Site, User

__all__ = [
    "SiteAccess",
    "SiteAccessBackend",
    "SiteScopedQuerySet",
    "access_for",
    "answers_alone",
    "at_sites",
    "chosen_site",
    "forget_access",
    "get_for_user_or_404",
    "holds_at",
    "require_permission",
    "restrict",
    "site_ids_for",
    "site_path_of",
    "sites_for",
    "staff_at",
    "staff_holding",
    "staff_working_at",
]

M = TypeVar("M", bound=Model)
CACHE_ATTRIBUTE = "_site_access"


@dataclass(frozen=True)
class SiteAccess:
    """Where a user works and what they may do at each site (one load per request)."""

    by_site: dict[int, frozenset[str]] = field(default_factory=dict)
    anywhere: frozenset[str] = frozenset()
    superuser: bool = False

    def holds(self, perm: str, site_id: int) -> bool:
        if site_id not in self.by_site:
            return False
        return self.superuser or perm in self.by_site[site_id]

    def site_ids(self, perms: Iterable[str] = (), *, any_of: bool = False) -> list[int]:
        """The sites where every one of ``perms`` is held (``any_of``: at least one); with no
        permission named, every site the user works at."""
        wanted = tuple(perms)
        if self.superuser or not wanted:
            return sorted(self.by_site)
        test = any if any_of else all
        return sorted(
            site for site, held in self.by_site.items() if test(p in held for p in wanted)
        )


NO_ACCESS = SiteAccess()


def _perm(prefix: str) -> Concat:
    return Concat(
        f"{prefix}content_type__app_label",
        Value("."),
        f"{prefix}codename",
        output_field=CharField(),
    )


def _access_rows(user_id: int) -> QuerySet[Any]:
    """(site or NULL, permission or NULL) rows from the four ways access is held."""
    from ketaclinic.apps.accounts.models import SiteRole, User

    no_site = Value(None, output_field=IntegerField())
    no_perm = Value(None, output_field=CharField())
    memberships = (
        User.sites.through.objects.filter(user_id=user_id)
        .annotate(s=F("site_id"), p=no_perm)
        .values_list("s", "p")  # type: ignore[misc]  # annotated names the stubs cannot see
    )
    role_sites = (
        SiteRole.objects.filter(user_id=user_id)
        .annotate(s=F("site_id"), p=no_perm)
        .values_list("s", "p")
    )
    site_role_perms = (
        SiteRole.objects.filter(user_id=user_id, group__permissions__isnull=False)
        .annotate(s=F("site_id"), p=_perm("group__permissions__"))
        .values_list("s", "p")
    )
    group_perms = (
        User.groups.through.objects.filter(user_id=user_id, group__permissions__isnull=False)
        .annotate(s=no_site, p=_perm("group__permissions__"))
        .values_list("s", "p")  # type: ignore[misc]  # annotated names the stubs cannot see
    )
    own_perms = (
        User.user_permissions.through.objects.filter(user_id=user_id)
        .annotate(s=no_site, p=_perm("permission__"))
        .values_list("s", "p")  # type: ignore[misc]  # annotated names the stubs cannot see
    )
    return memberships.union(role_sites, site_role_perms, group_perms, own_perms, all=True)


# Compiled once per database: compiling this UNION cost 30 times what running it does.
ACCESS_ROWS = PreparedQuery(_access_rows)


def _load(user: User) -> SiteAccess:
    """One query (``ACCESS_ROWS``), folded into the sites and the permissions held at each."""
    rows = ACCESS_ROWS.rows(user.pk, using=user._state.db or DEFAULT_DB_ALIAS)
    everywhere: set[str] = set()
    at_site: dict[int, set[str]] = {}
    for site_id, perm in rows:
        if site_id is None:
            everywhere.add(perm)
            continue
        held = at_site.setdefault(site_id, set())
        if perm is not None:
            held.add(perm)
    anywhere = set(everywhere)
    for held in at_site.values():
        anywhere |= held
        held |= everywhere
    return SiteAccess(
        by_site={site: frozenset(held) for site, held in at_site.items()},
        anywhere=frozenset(anywhere),
        superuser=user.is_superuser,
    )


def access_for(user: Any) -> SiteAccess:
    """The user's access, loaded once and kept on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    cached = getattr(user, CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = _narrowed_by_token(user, _load(user))
        setattr(user, CACHE_ATTRIBUTE, cached)
    return cached


def _narrowed_by_token(user: Any, access: SiteAccess) -> SiteAccess:
    """An API token's request holds at most the token's sites and permissions
    (``accounts.api_auth`` sets them on its owner)."""
    sites = getattr(user, "token_site_ids", None)
    perms = getattr(user, "token_permissions", None)
    if sites is None and perms is None:
        return access
    by_site = {
        site: held if perms is None else held & perms
        for site, held in access.by_site.items()
        if sites is None or site in sites
    }
    anywhere = access.anywhere if perms is None else access.anywhere & perms
    superuser = access.superuser and perms is None
    return SiteAccess(by_site=by_site, anywhere=anywhere, superuser=superuser)


def forget_access(user: Any) -> None:
    """Drop the cached access (after changing this very user object's roles or sites)."""
    for name in (CACHE_ATTRIBUTE, "_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        if hasattr(user, name):
            delattr(user, name)
    if hasattr(user, "_role_codes"):
        del user._role_codes


_THIS_BACKEND = "ketaclinic.apps.accounts.scoping.SiteAccessBackend"


def answers_alone() -> bool:
    """Whether ``SiteAccessBackend`` is the only authentication backend, so that for an
    active user who is not a superuser ``has_perm(perm)`` is exactly ``perm in
    access_for(user).anywhere`` (``User.has_perm`` answers so, skipping Django's loop)."""
    backends = settings.AUTHENTICATION_BACKENDS
    return len(backends) == 1 and backends[0] == _THIS_BACKEND


class SiteAccessBackend(ModelBackend):
    """Django's model backend (passwords, active flag), with permissions read from the one
    access load: a permission held at any site counts for ``has_perm``."""

    def get_user(self, user_id: Any) -> Any:
        """The logged-in user of every request, read with a query compiled once."""
        try:
            found = _prepared_by_pk(get_user_model()).instances(int(user_id))
        except (TypeError, ValueError):
            return None
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj: Any, obj: object = None) -> set[str]:
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        return set(access_for(user_obj).anywhere)


def site_ids_for(user: Any, *perms: str, any_of: bool = False) -> list[int]:
    """The ids of the sites where ``user`` holds ``perms`` (no perms: where they work)."""
    return access_for(user).site_ids(perms, any_of=any_of)


def sites_for(user: Any, *perms: str, any_of: bool = False) -> QuerySet[Site]:
    from ketaclinic.apps.accounts.models import Site

    return Site.objects.filter(pk__in=site_ids_for(user, *perms, any_of=any_of))


def holds_at(user: Any, perm: str, site: Site | int | None) -> bool:
    """Whether ``user`` holds ``perm`` at ``site`` (a Site or its id)."""
    if site is None:
        return False
    site_id = site if isinstance(site, int) else site.pk
    return access_for(user).holds(perm, site_id)


def staff_holding(perm: str, sites: Site | int | Iterable[Site | int]) -> QuerySet[User]:
    """The active staff who hold ``perm`` at one of ``sites`` (the reverse of ``holds_at``):
    by a role they hold wherever they work, a permission of their own, or a role at the site.
    """
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    from ketaclinic.apps.accounts.models import User

    if isinstance(sites, Iterable):
        site_ids = [site if isinstance(site, int) else site.pk for site in sites]
    else:
        site_ids = [sites if isinstance(sites, int) else sites.pk]
    app_label, codename = perm.split(".")
    permission = Permission.objects.filter(codename=codename, content_type__app_label=app_label)
    works_there = Q(sites__in=site_ids)
    held = (
        (works_there & Q(groups__permissions__in=permission))
        | (works_there & Q(user_permissions__in=permission))
        | (works_there & Q(is_superuser=True))
        | Q(site_roles__site__in=site_ids, site_roles__group__permissions__in=permission)
    )
    ids = User.objects.filter(held).values("pk")
    return User.objects.filter(is_active=True, pk__in=ids)


def chosen_site(user: Any, requested: object, *perms: str) -> tuple[Site, list[Site]]:
    """The site a page shows — the one asked for if ``user`` holds ``perms`` there, else the
    first such site by name — and all of them (for the picker); 404 when there is none."""
    sites = list(sites_for(user, *perms).order_by("name"))
    if not sites:
        raise Http404("No site")
    wanted = str(requested or "")
    for site in sites:
        if str(site.pk) == wanted:
            return site, sites
    return sites[0], sites


def site_path_of(model: type[Model]) -> str:
    """Where a model's site is: its ``site_path``, else its own ``site`` field."""
    path = getattr(model, "site_path", None)
    if path:
        return path
    if model is _site_model():
        return "pk"
    try:
        model._meta.get_field("site")
    except Exception:
        raise TypeError(f"{model.__name__} has no site; declare site_path") from None
    return "site"


def _site_model() -> type[Model]:
    from ketaclinic.apps.accounts.models import Site

    return Site


def _queryset(model_or_queryset: type[M] | QuerySet[M]) -> QuerySet[M]:
    if isinstance(model_or_queryset, QuerySet):
        return model_or_queryset
    return model_or_queryset._default_manager.all()


def restrict(
    model_or_queryset: type[M] | QuerySet[M],
    user: Any,
    *perms: str,
    any_of: bool = False,
    within: Iterable[int] | None = None,
    site_path: str | None = None,
) -> QuerySet[M]:
    """The rows ``user`` may see (or act on, with ``perms``): at their sites holding them.

    ``within`` narrows to some of those sites (a filter the person chose); ``site_path``
    overrides the model's own (a FHIR source reaching its site another way).
    """
    queryset = _queryset(model_or_queryset)
    site_ids = site_ids_for(user, *perms, any_of=any_of)
    if within is not None:
        wanted = set(within)
        site_ids = [site for site in site_ids if site in wanted]
    return at_sites(queryset, site_ids, site_path=site_path)


def at_sites(
    model_or_queryset: type[M] | QuerySet[M],
    sites: Iterable[Site | int],
    *,
    site_path: str | None = None,
) -> QuerySet[M]:
    """The rows at ``sites``, whoever asks: for work that is no one user's view (the reminder
    planner, the demo generator, a cohort over sites the user's form already chose).
    Anything shown to a person goes through ``restrict``."""
    queryset = _queryset(model_or_queryset)
    site_ids = [site if isinstance(site, int) else site.pk for site in sites]
    if not site_ids:
        return queryset.none()
    path = site_path or site_path_of(queryset.model)
    return queryset.filter(**{f"{path}__in": site_ids})


def staff_working_at(sites: Iterable[Site | int]) -> QuerySet[User]:
    """Everyone who works at one of ``sites`` (as a member, or by a role held there)."""
    from django.db.models import Q

    from ketaclinic.apps.accounts.models import User

    site_ids = [site if isinstance(site, int) else site.pk for site in sites]
    ids = User.objects.filter(Q(sites__in=site_ids) | Q(site_roles__site__in=site_ids))
    return User.objects.filter(pk__in=ids.values("pk"))


def staff_at(user: Any, *perms: str) -> QuerySet[User]:
    """The staff who work at the sites where ``user`` holds ``perms`` (colleagues)."""
    return staff_working_at(site_ids_for(user, *perms))


def get_for_user_or_404(
    model_or_queryset: type[M] | QuerySet[M],
    user: Any,
    *perms: str,
    any_of: bool = False,
    **lookup: Any,
) -> M:
    """One row ``user`` may see with ``perms``, or 404 — whether it exists at another site
    is not disclosed. A malformed id is a 404 too. The site is fetched with the row."""
    if (
        not isinstance(model_or_queryset, QuerySet)
        and list(lookup) == ["pk"]
        and isinstance(model_or_queryset._meta.pk, models.AutoField)
    ):
        return _by_pk_or_404(model_or_queryset, user, perms, any_of, lookup["pk"])
    queryset = restrict(model_or_queryset, user, *perms, any_of=any_of)
    path = site_path_of(queryset.model)
    if path != "pk":
        queryset = queryset.select_related(path)
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404(f"No such {queryset.model._meta.verbose_name}") from None


_BY_PK: dict[tuple[type[Model], str | None], PreparedQuery] = {}
_BIGGEST_KEY = 2**63


def _prepared_by_pk(model: type[Model], related: str | None = None) -> PreparedQuery:
    """One row of ``model`` by its key (with ``related`` fetched along), compiled once."""
    prepared = _BY_PK.get((model, related))
    if prepared is None:

        def build(pk: int) -> QuerySet[Any]:
            queryset = model._default_manager.filter(pk=pk)
            return queryset if related in (None, "pk") else queryset.select_related(related)

        prepared = _BY_PK[model, related] = PreparedQuery(build)
    return prepared


def _site_id_of(row: Model, path: str) -> Any:
    """The site id at ``path`` (``site``, ``group__site``, ``pk``) of a row fetched with it."""
    *hops, last = path.split("__")
    for hop in hops:
        row = getattr(row, hop)
    return row.pk if last == "pk" else getattr(row, f"{last}_id")


def _by_pk_or_404(model: type[M], user: Any, perms: tuple[str, ...], any_of: bool, key: Any) -> M:
    """``get_for_user_or_404(Model, user, *perms, pk=key)`` on the path of most requests:
    the row by its key with a query compiled once per model (``PreparedQuery``), then the
    same rule as ``restrict`` — its site must be one where ``user`` holds ``perms`` —
    checked on the row instead of in the SQL."""
    missing = Http404(f"No such {model._meta.verbose_name}")
    try:
        pk = model._meta.pk.to_python(key)
    except ValidationError:
        raise missing from None
    if pk is None or not -_BIGGEST_KEY <= pk < _BIGGEST_KEY:
        raise missing
    path = site_path_of(model)
    rows = _prepared_by_pk(model, related=path).instances(pk)
    if not rows:
        raise missing
    site_id = _site_id_of(rows[0], path)
    if site_id not in site_ids_for(user, *perms, any_of=any_of):
        raise missing
    return rows[0]


class SiteScopedQuerySet(QuerySet):
    """The manager of a site-bound model: ``Model.objects.restrict(user, perm)``."""

    def restrict(self, user: Any, *perms: str, any_of: bool = False) -> QuerySet:
        return restrict(self, user, *perms, any_of=any_of)


def require_permission(*permissions: str) -> Callable:
    """View decorator: log in first, then hold every permission (at some site), else 403.

    Which site's rows the view may touch is still ``restrict``'s answer, with the same
    permission: holding it somewhere is necessary, not sufficient.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perms(permissions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
