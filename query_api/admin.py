"""Admin: custom and derived metrics (formula checked on save, values loaded from CSV) and Query API keys."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_access_token_model

from .models import CustomMetric, CustomMetricValue, QueryApiKey
from .registry import formula_problem
from .services import CustomMetricLoadError, custom_metric_load_values


class CustomMetricForm(forms.ModelForm):
    class Meta:
        model = CustomMetric
        fields = ["slug", "object", "kind", "data_type", "label", "description", "formula", "crm_field"]

    def clean(self):
        """The slug's prefix, the object and the kind agree; a derived formula is valid arithmetic
        over number metrics of the same object (checked with the registry, never evaluated)."""
        data = super().clean()
        slug, query_object, kind = data.get("slug") or "", data.get("object"), data.get("kind")
        formula = (data.get("formula") or "").strip()
        if slug and query_object and kind:
            prefix = f"{'derived' if kind == CustomMetric.Kind.DERIVED else 'custom'}_{query_object}_"
            if not slug.startswith(prefix):
                self.add_error(
                    "slug",
                    f"A {kind} {query_object} metric's slug starts with {prefix}, e.g. {prefix}nps_score.",
                )
        if kind == CustomMetric.Kind.DERIVED:
            if data.get("data_type") not in (None, CustomMetric.DataType.NUMBER):
                self.add_error("data_type", "A derived metric is a number.")
            if not formula:
                self.add_error(
                    "formula", "A derived metric needs a formula, e.g. ootb_emails_sent / ootb_meetings_held."
                )
            elif query_object and slug:
                problem = formula_problem(object=query_object, slug=slug, formula=formula)
                if problem:
                    self.add_error("formula", problem)
        elif kind == CustomMetric.Kind.STORED and formula:
            self.add_error(
                "formula",
                "Only derived metrics have a formula; stored values come from a CSV file or the CRM.",
            )
        return data


class CsvFileForm(forms.Form):
    csv_file = forms.FileField(
        label="CSV file", help_text="Header row: value and crm_id (or id; for users also email or username)."
    )


class CustomMetricValueInline(admin.TabularInline):
    model = CustomMetricValue
    extra = 0


@admin.register(CustomMetric)
class CustomMetricAdmin(admin.ModelAdmin):
    form = CustomMetricForm
    list_display = ["slug", "object", "kind", "data_type", "label", "formula"]
    list_filter = ["object", "kind", "data_type"]
    search_fields = ["slug", "label", "description"]
    inlines = [CustomMetricValueInline]
    actions = ["load_values_from_csv"]

    @admin.action(description="Load values from a CSV file")
    def load_values_from_csv(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, "Select exactly one custom metric to load values into.", messages.WARNING
            )
            return None
        metric = queryset.get()
        form = CsvFileForm(request.POST, request.FILES) if "apply" in request.POST else CsvFileForm()
        if "apply" in request.POST and form.is_valid():
            try:
                text = form.cleaned_data["csv_file"].read().decode("utf-8-sig")
                stored = custom_metric_load_values(metric=metric, csv_text=text)
            except UnicodeDecodeError:
                self.message_user(request, "The file is not UTF-8 text.", messages.ERROR)
            except CustomMetricLoadError as error:
                self.message_user(request, f"Nothing loaded. {' '.join(error.problems[:20])}", messages.ERROR)
            else:
                self.message_user(request, f"Stored {stored:,} values of {metric.slug}.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": f"Load values of {metric.slug}",
            "metric": metric,
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/query_api/load_values.html", context)


@admin.register(CustomMetricValue)
class CustomMetricValueAdmin(admin.ModelAdmin):
    list_display = ["metric", "object_id", "value_number", "value_string", "value_boolean", "value_date"]
    list_filter = ["metric"]
    search_fields = ["metric__slug"]


class QueryApiKeyForm(forms.ModelForm):
    class Meta:
        model = QueryApiKey
        fields = ["name", "user"]
        help_texts = {
            "name": 'Who uses it, e.g. "Finance BI (Tableau)".',
            "user": "The person responsible for this key (optional).",
        }


@admin.register(QueryApiKey)
class QueryApiKeyAdmin(admin.ModelAdmin):
    """A Query API key is an OAuth application with the client-credentials grant. Adding one shows
    its client id and secret once; the secret is stored hashed and cannot be shown again.
    Deleting a key (or the "Revoke" action) revokes it and every token it was given."""

    form = QueryApiKeyForm
    list_display = ["name", "client_id", "user", "created", "active_tokens"]
    search_fields = ["name", "client_id"]
    readonly_fields = ["client_id", "created", "updated"]
    raw_id_fields = ["user"]
    actions = ["revoke_keys"]

    def get_fields(self, request, obj=None):
        return ["name", "user"] if obj is None else ["name", "user", "client_id", "created", "updated"]

    @admin.display(description="active tokens")
    def active_tokens(self, obj) -> int:
        return get_access_token_model().objects.filter(application=obj).count()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.client_type = QueryApiKey.CLIENT_CONFIDENTIAL
            obj.authorization_grant_type = QueryApiKey.GRANT_CLIENT_CREDENTIALS
            obj.hash_client_secret = True
            obj.plain_secret = generate_client_secret()
            obj.client_secret = obj.plain_secret
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        # Shown in this response only (never stored in a message or the session).
        context = {
            **self.admin_site.each_context(request),
            "title": "Query API key created",
            "key": obj,
            "secret": obj.plain_secret,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/query_api/key_created.html", context)

    @admin.action(description="Revoke selected keys (delete them and their tokens)")
    def revoke_keys(self, request, queryset):
        names = ", ".join(queryset.values_list("name", flat=True))
        count = queryset.count()
        queryset.delete()
        self.message_user(
            request, f"Revoked {count} key{'s' if count != 1 else ''}: {names}.", messages.SUCCESS
        )
