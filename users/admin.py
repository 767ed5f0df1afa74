from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import Quota, Team, User


class QuotaInline(admin.TabularInline):
    model = Quota
    extra = 0
    fields = ["period", "start_date", "end_date", "amount"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "get_full_name",
        "email",
        "title",
        "team",
        "manager",
        "crm_id",
        "is_staff",
        "is_active",
    ]
    list_filter = ["team", "is_staff", "is_active", "is_integration_user", "configuration_profile"]
    search_fields = ["username", "first_name", "last_name", "email", "crm_id", "title"]
    autocomplete_fields = ["manager", "team"]
    list_select_related = ["team", "manager"]
    inlines = [QuotaInline]
    fieldsets = DjangoUserAdmin.fieldsets + (
        (
            "Backstory",
            {
                "fields": [
                    "crm_id",
                    "title",
                    "team",
                    "manager",
                    "hire_date",
                    "time_zone",
                    "configuration_profile",
                    "private_by_default",
                    "is_integration_user",
                ]
            },
        ),
    )

    @admin.display(description="name", ordering="last_name")
    def get_full_name(self, obj):
        return obj.get_full_name()


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "manager"]
    search_fields = ["name"]
    autocomplete_fields = ["manager"]


@admin.register(Quota)
class QuotaAdmin(admin.ModelAdmin):
    list_display = ["user", "period", "start_date", "end_date", "amount"]
    list_filter = ["period", "start_date"]
    search_fields = ["user__first_name", "user__last_name", "user__email"]
    autocomplete_fields = ["user"]
    date_hierarchy = "start_date"
