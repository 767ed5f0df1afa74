"""The records each Query API object answers about (read only)."""

from django.db.models import QuerySet

from accounts.models import Account
from opportunities.models import Opportunity
from users.models import User


def accounts_for_query() -> QuerySet[Account]:
    """Every account."""
    return Account.objects.all()


def opportunities_for_query() -> QuerySet[Opportunity]:
    """Every opportunity."""
    return Opportunity.objects.all()


def users_for_query() -> QuerySet[User]:
    """The people who sell: active users, without the integration user (it only owns records)."""
    return User.objects.filter(is_active=True, is_integration_user=False)


def metrics_library(*, search: str = "", query_object: str = "") -> list[dict]:
    """The Metrics Library: every metric served, grouped by object then family, narrowed by a
    search (slug, label, family or definition, any case) and an object."""
    from query_api.registry import QueryObject, load_catalog

    words = search.lower().split()
    objects = [obj for obj in QueryObject if not query_object or obj.value == query_object]
    catalog = load_catalog()
    groups = []
    for obj in objects:
        families: dict[str, list] = {}
        for metric in catalog.metrics(obj):
            text = " ".join(
                (metric.slug, metric.label, metric.family, metric.definition, metric.alias_of or "")
            ).lower()
            if all(word in text for word in words):
                families.setdefault(metric.family, []).append(metric)
        if families:
            groups.append(
                {
                    "object": obj.value,
                    "families": [{"name": name, "metrics": items} for name, items in families.items()],
                }
            )
    return groups
