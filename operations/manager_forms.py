"""Forms of the manager actions: the confirmation step, the selections and the review queue."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from natural.ids import is_id
from natural.records import DELEGATION_PERMISSIONS, INVITATION_STATUSES
from operations.confirm import new_key
from operations.review_marks import ReviewMark
from read_model.query import MAX_OFFSET
from tables import component

# One table page; a bulk action is read and confirmed item by item, so keep it bounded.
MAX_SELECTION = 100
REASON_MAX_LENGTH = 500


class IdListField(forms.Field):
    """Repeated query or form values (`?delegation=adl_…&delegation=adl_…`), deduplicated."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, prefix: str, **kwargs):
        self.prefix = prefix
        super().__init__(**kwargs)

    def to_python(self, value):
        if not value:
            return []
        values = [value] if isinstance(value, str) else list(value)
        return list(dict.fromkeys(item.strip() for item in values if item and item.strip()))

    def validate(self, value):
        super().validate(value)
        bad = [item for item in value if not is_id(self.prefix, item)]
        if bad:
            raise ValidationError(f"Not a valid {self.prefix}_ id: {', '.join(bad[:3])}.")
        if len(value) > MAX_SELECTION:
            raise ValidationError(f"Select at most {MAX_SELECTION} at once.")


class ConfirmedActionForm(forms.Form):
    """What the confirmation page adds: the operation's key, born when the page was rendered,
    and the reason kept in the audit log. A POST without them never reaches Natural."""

    key = forms.UUIDField(widget=forms.HiddenInput)
    reason = forms.CharField(
        max_length=REASON_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the audit log with the operation.",
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    @classmethod
    def fresh(cls, **initial) -> ConfirmedActionForm:
        return cls(initial={"key": new_key(), **initial})


class BulkRevokeForm(ConfirmedActionForm):
    delegation = IdListField(prefix="adl")


class BulkCancelForm(ConfirmedActionForm):
    invitation = IdListField(prefix="adi")
    # The statuses the table showed when the rows were selected, `adi_…:STATUS`.
    selected_status = forms.CharField(required=False, widget=forms.MultipleHiddenInput)

    def clean_selected_status(self):
        return parse_selected_statuses(self.data.getlist("selected_status"))


class DelegationSelectionForm(forms.Form):
    """The bulk bar of the delegations table (a GET to the confirmation page)."""

    delegation = IdListField(prefix="adl")
    next = forms.CharField(required=False)


class InvitationSelectionForm(forms.Form):
    """The bulk bar of the invitations table. Each box is `adi_…` or `adi_…:STATUS`."""

    invitation = forms.Field(required=False)
    next = forms.CharField(required=False)

    def clean_invitation(self):
        tokens = self.data.getlist("invitation")
        statuses = parse_selected_statuses(tokens)
        ids = list(dict.fromkeys(token.split(":", 1)[0].strip() for token in tokens if token))
        bad = [item for item in ids if not is_id("adi", item)]
        if bad:
            raise ValidationError(f"Not a valid adi_ id: {', '.join(bad[:3])}.")
        if not ids:
            raise ValidationError("Select at least one invitation.")
        if len(ids) > MAX_SELECTION:
            raise ValidationError(f"Select at most {MAX_SELECTION} at once.")
        self.statuses = statuses
        return ids


def parse_selected_statuses(tokens) -> dict[str, str]:
    """`adi_…:PENDING` tokens -> {id: status}; anything malformed is dropped, not trusted."""
    statuses: dict[str, str] = {}
    for token in tokens:
        invitation_id, _, status = (token or "").partition(":")
        status = status.strip().upper()
        if is_id("adi", invitation_id.strip()) and status in INVITATION_STATUSES:
            statuses[invitation_id.strip()] = status
    return statuses


# What a manager can say of a delegation (an undo is its own request, ReviewUndoForm).
VERDICTS = [
    (ReviewMark.Verdict.REVIEWED.value, ReviewMark.Verdict.REVIEWED.label),
    (ReviewMark.Verdict.FLAGGED.value, ReviewMark.Verdict.FLAGGED.label),
]


class ReviewMarkForm(forms.Form):
    verdict = forms.ChoiceField(choices=VERDICTS, widget=forms.RadioSelect)
    comment = forms.CharField(
        required=False, max_length=2000, strip=True, widget=forms.Textarea(attrs={"rows": 2})
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("verdict") == ReviewMark.Verdict.FLAGGED and not cleaned.get("comment"):
            self.add_error("comment", "Say why you flag it: the next reviewer starts from there.")
        return cleaned


class BulkReviewMarkForm(ReviewMarkForm):
    """One verdict (and comment) for every ticked delegation of the review queue."""

    delegation = IdListField(prefix="adl")


class MarkIdsField(forms.Field):
    """Repeated `mark=<number>` values, deduplicated."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = [value] if isinstance(value, str) else list(value or ())
        if any(not str(item).strip().isdigit() for item in values):
            raise ValidationError("Not a review mark.")
        ids = list(dict.fromkeys(int(item) for item in values))
        if len(ids) > MAX_SELECTION:
            raise ValidationError(f"Undo at most {MAX_SELECTION} marks at once.")
        return ids


class ReviewUndoForm(forms.Form):
    """The marks an "Undo" takes back: the ones its message confirmed."""

    mark = MarkIdsField()
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class ReviewQueueForm(forms.Form):
    """The review queue's filters, over every delegation the read model holds."""

    review = forms.ChoiceField(
        required=False,
        label="Show",
        choices=[("unreviewed", "Unreviewed"), ("flagged", "Flagged"), ("reviewed", "Reviewed")],
    )
    agent = forms.ChoiceField(required=False, label="Agent")
    permission = forms.ChoiceField(
        required=False,
        label="Permission",
        choices=[("", "Any permission")] + [(p, p) for p in DELEGATION_PERMISSIONS],
    )
    limit_above = forms.DecimalField(
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        label="Per-transaction limit at least ($)",
    )
    expiring_within_days = forms.IntegerField(
        required=False, min_value=1, max_value=365, label="Expiring within (days)"
    )
    created_by = forms.ChoiceField(required=False, label="Created by")
    q = forms.CharField(label="Search", required=False, max_length=200)
    sort = forms.CharField(label="Sort", required=False, max_length=40, widget=forms.HiddenInput)
    limit = forms.TypedChoiceField(
        required=False,
        label=component.PAGE_SIZE_LABEL,
        coerce=int,
        initial=component.PAGE_SIZES[0],
        empty_value=component.PAGE_SIZES[0],
        choices=[(size, str(size)) for size in component.PAGE_SIZES],
    )
    offset = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_OFFSET, widget=forms.HiddenInput
    )

    def __init__(self, *args, agents=(), creators=(), **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and not self.data.get("limit"):
            # The select must show the page size the queue uses.
            self.data = self.data.copy()
            self.data["limit"] = str(component.PAGE_SIZES[0])
        self.fields["agent"].choices = [("", "Any agent"), *agents]
        self.fields["created_by"].choices = [("", "Anyone"), *creators]

    def query_filters(self) -> dict:
        """The read model's filters (query.SCHEMAS) for what was chosen."""
        cleaned = self.cleaned_data
        dollars = cleaned.get("limit_above")
        return {
            "agent": cleaned.get("agent"),
            "permission": cleaned.get("permission"),
            "created_by": cleaned.get("created_by"),
            "limit_at_least": None if dollars is None else int(dollars * 100),
            "expiring_within_days": cleaned.get("expiring_within_days"),
        }
