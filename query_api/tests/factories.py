import factory
from factory.django import DjangoModelFactory

from query_api.models import CustomMetric, CustomMetricValue


class CustomMetricFactory(DjangoModelFactory):
    class Meta:
        model = CustomMetric

    slug = factory.Sequence(lambda n: f"custom_account_metric_{n}")
    object = CustomMetric.Object.ACCOUNT
    label = factory.LazyAttribute(lambda o: o.slug.replace("_", " ").title())


class CustomMetricValueFactory(DjangoModelFactory):
    class Meta:
        model = CustomMetricValue

    metric = factory.SubFactory(CustomMetricFactory)
    object_id = 1
    value_number = 42
