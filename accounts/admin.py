from django.contrib import admin

from .models import Account, AccountDomain, AccountTeamMember


class AccountDomainInline(admin.TabularInline):
    model = AccountDomain
    extra = 0


class AccountTeamMemberInline(admin.TabularInline):
    model = AccountTeamMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "primary_domain_display", "industry", "tier", "company_size", "owner", "crm_id"]
    list_filter = ["tier", "industry", "account_type"]
    search_fields = ["name", "domains__domain", "crm_id", "website"]
    autocomplete_fields = ["owner"]
    list_select_related = ["owner"]
    inlines = [AccountDomainInline, AccountTeamMemberInline]
    readonly_fields = ["created_at", "updated_at", "crm_last_modified"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("domains")

    @admin.display(description="primary domain")
    def primary_domain_display(self, obj):
        return obj.primary_domain or "—"


@admin.register(AccountDomain)
class AccountDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "account", "is_primary"]
    list_filter = ["is_primary"]
    search_fields = ["domain", "account__name"]
    autocomplete_fields = ["account"]


@admin.register(AccountTeamMember)
class AccountTeamMemberAdmin(admin.ModelAdmin):
    list_display = ["account", "user", "role"]
    list_filter = ["role"]
    search_fields = ["account__name", "user__first_name", "user__last_name", "user__email"]
    autocomplete_fields = ["account", "user"]
