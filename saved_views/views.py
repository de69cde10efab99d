"""Columns and saved views: plain form posts that redirect back to the table, so they work
without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from dashboard import roles
from saved_views.bar import visible_views
from saved_views.choices import hidden_columns, hide_columns
from saved_views.forms import SaveViewForm, ViewNameForm
from saved_views.models import SavedView
from saved_views.queries import view_query
from tables.catalog import DECLARED, declared_or_404


@require_POST
@permission_required(roles.VIEW, raise_exception=True)
def choose_columns(request: HttpRequest) -> HttpResponse:
    spec = declared_or_404(request.POST.get("table"), request.user)
    keys = spec.column_keys()
    shown = set(request.POST.getlist("shown"))
    back = spec.url(view_query(request.POST.get("query", "")))
    if not shown & set(keys):
        messages.error(request, "Keep at least one column shown.")
        return redirect(back)
    hide_columns(request.user, spec, [key for key in keys if key not in shown])
    return redirect(back)


@require_POST
@permission_required(roles.VIEW, raise_exception=True)
def save_view(request: HttpRequest) -> HttpResponse:
    spec = declared_or_404(request.POST.get("table"), request.user)
    form = SaveViewForm(request.POST, owner=request.user, table=spec.key)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                view = SavedView.objects.create(
                    owner=request.user,
                    table=spec.key,
                    name=data["name"],
                    query=data["query"],
                    hidden=hidden_columns(request.user, spec),
                    shared=data["shared"],
                )
        except IntegrityError:
            # The same name saved a moment ago from another tab.
            form.add_error("name", f"You already have a view called “{data['name']}”.")
        else:
            shared = " and shared it with the team" if view.shared else ""
            messages.success(request, f"Saved the view “{view.name}”{shared}.")
            return redirect(spec.url(view.query))
    back = spec.url(view_query(request.POST.get("query", "")))
    context = {"form": form, "spec": spec, "back": back}
    return TemplateResponse(request, "saved_views/save.html", context, status=400)


def _visible_or_404(request: HttpRequest, pk) -> SavedView:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such view.") from None
    view = get_object_or_404(visible_views(request.user, table=None), pk=pk)
    return view


@require_POST
@permission_required(roles.VIEW, raise_exception=True)
def open_view(request: HttpRequest) -> HttpResponse:
    """Opening a view makes its columns this user's columns for the table (so the Columns
    menu and every later visit agree), then shows the table with the view's query."""
    view = _visible_or_404(request, request.POST.get("view"))
    spec = declared_or_404(view.table, request.user)
    hide_columns(request.user, spec, view.hidden)
    return redirect(spec.url(view.query))


def _manage_context(request: HttpRequest, table: str | None, editing=None) -> dict:
    views = visible_views(request.user, table)
    can_manage = request.user.has_perm(roles.MANAGE_SAVED_VIEWS)
    groups = []
    for spec in DECLARED.values():
        if (table and spec.key != table) or not spec.allowed(request.user):
            continue
        rows = []
        for view in views:
            if view.table != spec.key:
                continue
            mine = view.owner_id == request.user.pk
            form = None
            if mine and editing is not None and editing.instance.pk == view.pk:
                form = editing
            elif mine:
                form = ViewNameForm(
                    owner=request.user,
                    table=view.table,
                    instance=view,
                    initial={"name": view.name, "shared": view.shared},
                    prefix=f"view-{view.pk}",
                )
            rows.append(
                {
                    "view": view,
                    "mine": mine,
                    "form": form,
                    "can_delete": mine or (view.shared and can_manage),
                    "url": spec.url(view.query),
                    "hides": [c.label for c in spec.columns if c.key in view.hidden],
                }
            )
        groups.append({"spec": spec, "rows": rows})
    return {"groups": groups, "table": table}


@require_GET
@permission_required(roles.VIEW, raise_exception=True)
def view_list(request: HttpRequest) -> HttpResponse:
    table = request.GET.get("table") or None
    if table is not None:
        declared_or_404(table, request.user)
    return TemplateResponse(request, "saved_views/manage.html", _manage_context(request, table))


@require_POST
@permission_required(roles.VIEW, raise_exception=True)
def rename_view(request: HttpRequest, pk: int) -> HttpResponse:
    view = _visible_or_404(request, pk)
    if view.owner_id != request.user.pk:
        raise PermissionDenied("Only the owner of a view can rename it.")
    form = ViewNameForm(
        request.POST, owner=request.user, table=view.table, instance=view, prefix=f"view-{pk}"
    )
    table = _return_table(request)
    if not form.is_valid():
        context = _manage_context(request, table, editing=form)
        return TemplateResponse(request, "saved_views/manage.html", context, status=400)
    old = view.name
    view.name, view.shared = form.cleaned_data["name"], form.cleaned_data["shared"]
    try:
        with transaction.atomic():
            view.save(update_fields=["name", "shared", "updated_at"])
    except IntegrityError:
        form.add_error("name", f"You already have a view called “{view.name}”.")
        context = _manage_context(request, table, editing=form)
        return TemplateResponse(request, "saved_views/manage.html", context, status=400)
    if old != view.name:
        messages.success(request, f"Renamed “{old}” to “{view.name}”.")
    else:
        messages.success(request, f"Saved the changes to “{view.name}”.")
    return redirect(_manage_url(table))


@require_POST
@permission_required(roles.VIEW, raise_exception=True)
def delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    view = _visible_or_404(request, pk)
    mine = view.owner_id == request.user.pk
    if not mine and not request.user.has_perm(roles.MANAGE_SAVED_VIEWS):
        raise PermissionDenied("Only the owner of a view, or an admin, can delete it.")
    view.delete()
    messages.success(request, f"Deleted the view “{view.name}”.")
    return redirect(_manage_url(_return_table(request)))


def _return_table(request: HttpRequest) -> str | None:
    """The table the views page was narrowed to, to go back to it (None for every table)."""
    table = request.POST.get("return_table") or None
    return table if table in DECLARED else None


def _manage_url(table: str | None) -> str:
    return reverse("saved-view-list") + (f"?table={table}" if table else "")
