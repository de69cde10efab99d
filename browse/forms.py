"""Filter forms for the browse pages: each is bound to `request.GET` and validated before any
upstream call, so a bad filter never reaches Natural."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.core.validators import RegexValidator

from natural import ids
from natural.records import DELEGATION_INVITATION_STATUSES, INVITATION_STATUSES
from read_model.query import MAX_OFFSET
from tables.columns import checked_sort
from tables.component import PAGE_SIZE_LABEL, PAGE_SIZES

MAX_TRAIL = 30
# Natural's cursors are opaque: any printable characters, at most this many.
MAX_CURSOR_LENGTH = 1024
# The trail rides in the URL: past this many characters the oldest pages are forgotten, so a
# link stays under the request-line limits of servers and proxies (8 KiB).
MAX_TRAIL_CHARS = 4096


def natural_id(prefix: str) -> RegexValidator:
    return RegexValidator(
        ids.PATTERNS[prefix],
        f"Enter a {prefix}_ id: “{prefix}_” followed by 32 lowercase hex digits.",
    )


def cursor_validator(value: str) -> None:
    """A cursor is passed back exactly as Natural gave it; only its length and printability
    are ours to check (a control character cannot have come from Natural's JSON)."""
    if not value or len(value) > MAX_CURSOR_LENGTH or not value.isprintable():
        raise forms.ValidationError("This page link is not valid.", code="invalid_cursor")


class LiveListForm(forms.Form):
    """Page size and the cursor trail every table shares.

    `cursor` opens the current page; `trail` holds the cursors of the pages before it (the
    first page has none), so Previous is the last cursor of the trail.
    """

    limit = forms.TypedChoiceField(
        label=PAGE_SIZE_LABEL,
        choices=[(size, str(size)) for size in PAGE_SIZES],
        coerce=int,
        required=False,
        empty_value=PAGE_SIZES[0],
    )
    cursor = forms.CharField(
        required=False, strip=False, validators=[cursor_validator], widget=forms.HiddenInput
    )
    # One `trail` parameter per earlier page, so no cursor character can split or merge them.
    trail = forms.Field(required=False, widget=forms.MultipleHiddenInput)

    # Fields that narrow the list, named in the empty state; set by each subclass.
    filter_fields: tuple[str, ...] = ()

    def __init__(self, data=None, *args, **kwargs) -> None:
        # An empty value means "no filter" (`?status=` from a cleared select), not a bad choice.
        if data is not None:
            data = data.copy()
            for key in list(data):
                data.setlist(key, [value for value in data.getlist(key) if value != ""])
        super().__init__(data, *args, **kwargs)

    def clean_limit(self) -> int:
        return self.cleaned_data.get("limit") or PAGE_SIZES[0]

    def clean_trail(self) -> list[str]:
        cursors = [item for item in self.cleaned_data.get("trail") or () if item]
        for cursor in cursors:
            cursor_validator(cursor)
        cursors = cursors[-MAX_TRAIL:]
        while len(cursors) > 1 and sum(map(len, cursors)) > MAX_TRAIL_CHARS:
            cursors.pop(0)
        return cursors

    def active_filters(self) -> list[tuple[str, str]]:
        """(label, value) of each filter in use, for the empty state and the caption."""
        active = []
        for name in self.filter_fields:
            value = self.cleaned_data.get(name)
            if not self.narrows(name, value):
                continue
            field = self.fields[name]
            if isinstance(value, list):
                shown = ", ".join(value)
            elif value is True:
                shown = "yes"
            else:
                choices = getattr(field, "choices", None) or getattr(field.widget, "choices", ())
                shown = dict(choices).get(value, value)
            active.append((str(field.label), str(shown)))
        return active

    def narrows(self, name: str, value) -> bool:
        """Whether this value of a filter leaves rows out (an empty one does not)."""
        return value not in (None, "", [], False)

    def paging(self) -> dict:
        return {
            "cursor": self.cleaned_data.get("cursor") or None,
            "limit": self.cleaned_data["limit"],
        }


class AgentChoicesMixin:
    """The agent filter is validated by id shape, so it works even when the agents list is
    unavailable; the names only decorate the select."""

    def set_agents(self, agents: Iterable) -> None:
        choices = [("", "Any agent"), *((agent.id, agent.name) for agent in agents)]
        current = self.data.get("agent")
        if current and current not in dict(choices):
            choices.append((current, current))
        self.fields["agent"].widget.choices = choices  # type: ignore[attr-defined]


class ReadModelQuestions(forms.Form):
    """What only the local read model answers: search by part of a value, sort, counts.
    Any of them switches a table from Natural's live list to the local copy."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    sort = forms.CharField(label="Sort", required=False, max_length=40)
    counts = forms.BooleanField(label="Show counts", required=False)
    offset = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_OFFSET, widget=forms.HiddenInput
    )
    # Sort keys a column header offers, as the read model names them; set by each subclass.
    sortable: tuple[str, ...] = ()

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())

    def clean_sort(self) -> str:
        return checked_sort(self.cleaned_data["sort"], self.sortable)

    def asks_read_model(self) -> bool:
        data = self.cleaned_data
        return bool(data.get("q") or data.get("sort") or data.get("counts"))

    def read_model_query(self) -> dict:
        """The question for `read_model.query.ask`: this table's filters, plus search,
        sort and page."""
        data = self.cleaned_data
        return {
            "filters": self.read_model_filters(),
            "search_for": self.search_text(),
            "sort": data["sort"],
            "offset": data["offset"] or 0,
            "limit": data["limit"],
        }

    def read_model_filters(self) -> dict[str, list]:
        raise NotImplementedError

    def search_text(self) -> str:
        return self.cleaned_data["q"]


class InvitationFilterForm(AgentChoicesMixin, ReadModelQuestions, LiveListForm):
    sortable = (
        "email",
        "agent_name",
        "effective_status",
        "per_transaction_cents",
        "expires_at",
        "created_at",
        "invitation_id",
    )
    status = forms.MultipleChoiceField(
        label="Status",
        choices=[(status, status.title()) for status in INVITATION_STATUSES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    email = forms.EmailField(label="Customer email", required=False, max_length=254)
    agent = forms.CharField(
        label="Agent", required=False, validators=[natural_id("agt")], widget=forms.Select
    )
    filter_fields = ("status", "email", "agent", "q")

    def query(self) -> dict:
        data = self.cleaned_data
        return {
            "statuses": tuple(data["status"]),
            "customer_email": data["email"] or None,
            "agent_id": data["agent"] or None,
            **self.paging(),
        }

    def read_model_filters(self) -> dict[str, list]:
        # The email stays the exact filter it is on Natural's list (whole address, any case);
        # only the search box matches part of one.
        data = self.cleaned_data
        return {
            "status": data["status"],
            "agent": [data["agent"]] if data["agent"] else [],
            "email": [data["email"]] if data["email"] else [],
        }


class DelegationInvitationFilterForm(ReadModelQuestions, LiveListForm):
    sortable = ("email", "status", "expires_at", "created_at", "invitation_id")
    status = forms.ChoiceField(
        label="Status",
        choices=[("", "Any"), *((s, s.title()) for s in DELEGATION_INVITATION_STATUSES)],
        required=False,
        # Chips, like the agent invitations' status filter; one at a time, as Natural filters.
        widget=forms.RadioSelect,
    )
    filter_fields = ("status", "q")

    def query(self) -> dict:
        return {"status": self.cleaned_data["status"] or None, **self.paging()}

    def read_model_filters(self) -> dict[str, list]:
        status = self.cleaned_data["status"]
        return {"status": [status] if status else []}


class CustomerFilterForm(LiveListForm):
    # The columns a header sorts by, as the local index names them (read_model.query).
    sortable = ("name", "delegation_status", "created_at", "party_id")

    q = forms.CharField(label="Search", required=False, max_length=200)
    # A sort is answered from the local index: Natural's list has one order.
    sort = forms.CharField(label="Sort", required=False, max_length=40, widget=forms.HiddenInput)
    # Where a page of the local search starts (Natural's list pages by cursor).
    offset = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_OFFSET, widget=forms.HiddenInput
    )
    filter_fields = ("q",)

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())

    def clean_sort(self) -> str:
        return checked_sort(self.cleaned_data["sort"], self.sortable)

    def asks_read_model(self) -> bool:
        """Natural has no customer search and one order: both are the local index's."""
        return bool(self.cleaned_data["q"] or self.cleaned_data["sort"])

    def read_model_query(self) -> dict:
        """The question for `read_model.query.ask`: search, sort and page."""
        data = self.cleaned_data
        return {
            "filters": {},
            "search_for": data["q"],
            "sort": data["sort"],
            "offset": data["offset"] or 0,
            "limit": data["limit"],
        }

    def query(self) -> dict:
        return self.paging()


class AgentDelegationFilterForm(AgentChoicesMixin, ReadModelQuestions, LiveListForm):
    sortable = (
        "agent_name",
        "customer_name",
        "revoked",
        "per_transaction_cents",
        "expires_at",
        "created_at",
        "agent_delegation_id",
    )
    status = forms.MultipleChoiceField(
        label="Status",
        choices=[("active", "Active"), ("revoked", "Revoked")],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    agent = forms.CharField(
        label="Agent", required=False, validators=[natural_id("agt")], widget=forms.Select
    )
    delegation = forms.CharField(
        label="Delegation id", required=False, validators=[natural_id("dlg")], max_length=36
    )
    party = forms.CharField(
        label="Customer id", required=False, validators=[natural_id("pty")], max_length=36
    )
    # Older links and the export's say `include_revoked`; the page asks with the chips.
    include_revoked = forms.BooleanField(label="Include revoked", required=False)
    filter_fields = ("status", "agent", "delegation", "party", "q")

    def __init__(self, data=None, *args, **kwargs) -> None:
        super().__init__(data, *args, **kwargs)
        if self.is_bound and not self.data.getlist("status"):
            # Natural's list leaves revoked ones out unless asked: no chip means active only
            # (both with `include_revoked`), and the chips are drawn picked to say so.
            include = forms.CheckboxInput().value_from_datadict(self.data, None, "include_revoked")
            self.data.setlist("status", ["active", "revoked"] if include else ["active"])

    def states(self) -> list[str]:
        """The states shown: the chips picked."""
        return self.cleaned_data["status"]

    def narrows(self, name: str, value) -> bool:
        # Active alone is what the list shows when nothing is chosen (Natural's list does the
        # same), and both chips are everything: only Revoked alone leaves rows out.
        if name == "status":
            return value == ["revoked"]
        return super().narrows(name, value)

    def asks_read_model(self) -> bool:
        # Natural cannot list only the revoked ones.
        return super().asks_read_model() or self.states() == ["revoked"]

    def query(self) -> dict:
        data = self.cleaned_data
        return {
            "agent_id": data["agent"] or None,
            "delegation_id": data["delegation"] or None,
            "delegating_party_id": data["party"] or None,
            "include_revoked": "revoked" in self.states(),
            **self.paging(),
        }

    def read_model_filters(self) -> dict[str, list]:
        data = self.cleaned_data
        states = self.states()
        return {
            "state": states if len(states) == 1 else [],
            **{
                name: [data[name]] if data[name] else []
                for name in ("agent", "delegation", "party")
            },
        }


LOOKUP_PREFIXES = ids.PREFIXES


class LookupForm(forms.Form):
    id = forms.CharField(label="Go to id", max_length=100)

    def clean_id(self) -> str:
        value = self.cleaned_data["id"].strip().strip("\"'`<>")
        prefix = value.split("_", 1)[0]
        if prefix not in LOOKUP_PREFIXES:
            raise forms.ValidationError(
                "That is not an id this dashboard knows. Ids start with "
                + ", ".join(f"{p}_" for p in LOOKUP_PREFIXES)
                + "."
            )
        natural_id(prefix)(value)
        return value
