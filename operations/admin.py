"""The audit log in the Django admin: readable, never added to, changed or deleted.

The project does not install the admin today; if it ever does, these are what it gets.
"""

from django.apps import apps
from django.contrib import admin

from operations.models import Batch, Operation, OperationAttempt


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AttemptInline(admin.TabularInline):
    model = OperationAttempt
    extra = 0
    can_delete = False
    readonly_fields = [field.name for field in OperationAttempt._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OperationAdmin(ReadOnlyAdmin):
    list_display = ("key", "action", "state", "actor", "created_at", "finished_at")
    list_filter = ("action", "state")
    search_fields = ("search_text",)
    inlines = [AttemptInline]


class BatchAdmin(ReadOnlyAdmin):
    list_display = ("key", "action", "actor", "created_at")


class OperationAttemptAdmin(ReadOnlyAdmin):
    list_display = ("operation", "number", "status", "exception", "replayed", "started_at")


if apps.is_installed("django.contrib.admin"):
    admin.site.register(Operation, OperationAdmin)
    admin.site.register(Batch, BatchAdmin)
    admin.site.register(OperationAttempt, OperationAttemptAdmin)
