"""Admin pages for every model. A published question set is shown read-only."""

from django.contrib import admin
from django.contrib.admin import options, widgets
from django.contrib.auth.admin import UserAdmin
from django.db.models import DateField

from audit_app import models
from audit_app.fields import PlausibleDateField

# The admin is one more way to type a date: hold it to the one plausible-date rule as forms and the
# API are. Every ModelAdmin and inline copies these defaults when it is made; this module is
# imported (by the admin's autodiscovery) before those of the apps that follow audit_app, and
# tests/contracts/test_plausible_dates.py checks every registered admin's date fields.
options.FORMFIELD_FOR_DBFIELD_DEFAULTS[DateField] = {
    "form_class": PlausibleDateField,
    "widget": widgets.AdminDateWidget,
}


class RoleAssignmentInline(admin.TabularInline):
    model = models.RoleAssignment
    extra = 0
    autocomplete_fields = ["area"]


@admin.register(models.User)
class CaseAuditUserAdmin(UserAdmin):
    inlines = [RoleAssignmentInline]
    fieldsets = (*UserAdmin.fieldsets, ("Case audit", {"fields": ("staff_member",)}))
    autocomplete_fields = ["staff_member"]


@admin.register(models.Force)
class ForceAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(models.Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "force"]
    list_filter = ["force"]
    search_fields = ["name", "code"]


@admin.register(models.Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "team_type"]
    list_filter = ["area", "team_type"]
    search_fields = ["name", "code"]


@admin.register(models.StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["identifier", "identifier_kind", "rank", "team"]
    list_filter = ["identifier_kind", "team__area"]
    search_fields = ["identifier"]
    list_select_related = ["team__area"]


@admin.register(models.RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "force", "area"]
    list_filter = ["role", "area"]
    list_select_related = ["user", "force", "area"]


@admin.register(models.CaseTheme)
class CaseThemeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_force_interest", "is_active", "display_order"]
    list_editable = ["is_active"]
