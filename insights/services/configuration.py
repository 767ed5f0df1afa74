"""Changing the org's insights configuration (deal warnings, stalled threads, competitors)."""

from __future__ import annotations

from django.db import transaction

from ..models import InsightsConfiguration
from ..selectors import insights_configuration_get


@transaction.atomic
def insights_configuration_update(*, competitors: list[str] | None = None, **values) -> InsightsConfiguration:
    """Save the configuration with the given changes: ``competitors`` as a list of names (each may
    carry aliases after commas), any other field by name (``no_activity_days=21``,
    ``ghosted_enabled=False``). Unknown fields are an error."""
    configuration = insights_configuration_get()
    field_names = {f.name for f in InsightsConfiguration._meta.concrete_fields} - {"id", "updated_at"}
    unknown = set(values) - field_names
    if unknown:
        raise ValueError(f"Unknown insights configuration fields: {', '.join(sorted(unknown))}")
    for name, value in values.items():
        setattr(configuration, name, value)
    if competitors is not None:
        configuration.competitors = "\n".join(name.strip() for name in competitors if name.strip())
    configuration.full_clean()
    configuration.save()
    return configuration
