"""Columns and saved views: plain form posts that redirect back to the table, so they work
without JavaScript."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dashboard import roles
from saved_views import table as saved_views_table
from saved_views.bar import ViewBar, visible_views
from saved_views.choices import hidden_columns, hide_columns
from saved_views.forms import SaveViewForm, ViewNameForm
from saved_views.models import SavedView
from saved_views.queries import view_query
from saved_views.table import SavedViewsForm
from tables import local
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


ACTIONS = mark_safe('<span class="visually-hidden">Actions</span>')


@require_GET
@permission_required(roles.VIEW, raise_exception=True)
def view_list(request: HttpRequest) -> HttpResponse:
    """Every view the user may see, as one of the tables: `?table=` narrows to one table's
    views (the "Manage views…" link of a table's bar), `?whose=` to the user's own or others'."""
    table = DECLARED["saved_views"]
    form = SavedViewsForm(request.GET, user=request.user)
    back = request.GET.urlencode()

    def present(context: dict) -> dict:
        return {
            "rows": [saved_views_table.row(view, request.user) for view in context["rows"]],
            "actions_label": ACTIONS,
            "back": back,
            "rename_query": f"?{urlencode({'back': back})}" if back else "",
        }

    return local.respond(
        request, table, form, form.views, view_bar=ViewBar(request, table.key), more=present
    )


@require_GET
@permission_required(roles.VIEW, raise_exception=True)
def view_export(request: HttpRequest) -> HttpResponse:
    form = SavedViewsForm(request.GET, user=request.user)
    if not form.is_valid():
        return local.invalid_filters(form)
    return local.export_csv(
        "saved-views",
        ("name", "table", "owner", "shared", "query", "hidden_columns", "changed_at"),
        (saved_views_table.row(view, request.user) for view in form.views().iterator(500)),
        lambda row: (
            row["name"],
            row["table"],
            row["owner"],
            "yes" if row["shared"] else "no",
            row["query"],
            "; ".join(row["hides"]),
            row["changed"].isoformat(),
        ),
    )


@require_http_methods(["GET", "POST"])
@permission_required(roles.VIEW, raise_exception=True)
def rename_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner's form to rename a view and share it or not; then back to the list as it was."""
    view = _visible_or_404(request, pk)
    if view.owner_id != request.user.pk:
        raise PermissionDenied("Only the owner of a view can rename it.")
    back = _back(request)
    if request.method == "GET":
        form = ViewNameForm(
            owner=request.user,
            table=view.table,
            instance=view,
            initial={"name": view.name, "shared": view.shared},
            prefix=f"view-{pk}",
        )
        return _rename_page(request, view, form, back)
    form = ViewNameForm(
        request.POST, owner=request.user, table=view.table, instance=view, prefix=f"view-{pk}"
    )
    if not form.is_valid():
        return _rename_page(request, view, form, back, status=400)
    old = view.name
    view.name, view.shared = form.cleaned_data["name"], form.cleaned_data["shared"]
    try:
        with transaction.atomic():
            view.save(update_fields=["name", "shared", "updated_at"])
    except IntegrityError:
        # The same name given a moment ago from another tab.
        form.add_error("name", f"You already have a view called “{view.name}”.")
        view.name = old
        return _rename_page(request, view, form, back, status=400)
    if old != view.name:
        messages.success(request, f"Renamed “{old}” to “{view.name}”.")
    else:
        messages.success(request, f"Saved the changes to “{view.name}”.")
    return redirect(back)


def _rename_page(request, view: SavedView, form, back: str, *, status: int = 200):
    context = {
        "view": view,
        "form": form,
        "back": back,
        "back_query": _back_query(request),
        "spec": DECLARED[view.table],
    }
    return TemplateResponse(request, "saved_views/rename.html", context, status=status)


@require_POST
@permission_required(roles.VIEW, raise_exception=True)
def delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    view = _visible_or_404(request, pk)
    mine = view.owner_id == request.user.pk
    if not mine and not request.user.has_perm(roles.MANAGE_SAVED_VIEWS):
        raise PermissionDenied("Only the owner of a view, or an admin, can delete it.")
    view.delete()
    messages.success(request, f"Deleted the view “{view.name}”.")
    return redirect(_back(request))


def _back_query(request: HttpRequest) -> str:
    """The saved views list's query the form came from (its filters, sort and page)."""
    data = request.POST if request.method == "POST" else request.GET
    back = data.get("back", "")
    if not back and data.get("return_table") in DECLARED:
        back = urlencode({"table": data["return_table"]})
    return back


def _back(request: HttpRequest) -> str:
    return saved_views_table.list_url(_back_query(request))
