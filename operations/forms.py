"""Invitation forms and the audit filter form.

Each create form carries its idempotency key as a hidden field, born when the form is first
rendered; the same key comes back on every resubmit of that rendering.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from natural import writes
from operations import audit_entries, recipients
from operations.confirm import new_key
from tables.local import LocalTableForm

DEFAULT_EXPIRY_DAYS = 7
MAX_EXPIRY_DAYS = 90
MAX_DOLLARS = Decimal("1000000000")
PERMISSION_CHOICES = [(name, name) for name in writes.GRANTABLE_PERMISSIONS]
# 100,000 recipients of up to about 160 characters each.
MAX_CSV_BYTES = 16 * 1024 * 1024
# A preview carries a list this short back in the page; a longer one stays in its draft.
INLINE_RECIPIENTS = 1000


def dollars_field(label: str, *, required: bool) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal("0.01"),
        max_value=MAX_DOLLARS,
        decimal_places=2,
        max_digits=12,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
        error_messages={"min_value": "Enter a positive amount in dollars."},
    )


def to_cents(dollars: Decimal | None) -> int | None:
    return None if dollars is None else int(dollars * 100)


class KeyedForm(forms.Form):
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("key", new_key())


class InviteCustomersForm(KeyedForm):
    agent = forms.ChoiceField(label="Agent")
    recipients = forms.CharField(
        label="Recipients",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text="One per line or comma-separated: emails, +E.164 phones or pty_ party ids.",
    )
    recipients_file = forms.FileField(
        label="Or upload a CSV",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    permissions = forms.MultipleChoiceField(
        choices=PERMISSION_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    per_transaction = dollars_field("Per-transaction limit (USD)", required=True)
    expires_on = forms.DateField(
        label="Expires on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The invitation expires at the end of this day (UTC).",
    )
    reinvite = forms.BooleanField(
        label="Invite again recipients who already have a pending invitation from this agent",
        required=False,
    )

    def __init__(self, *args, agents=(), draft=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].choices = [("", "Choose an agent")] + [
            (agent.id, f"{agent.name} ({agent.id})") for agent in agents
        ]
        self.initial.setdefault(
            "expires_on", timezone.now().date() + timedelta(days=DEFAULT_EXPIRY_DAYS)
        )
        self.parsed: recipients.ParsedRecipients | None = None
        self.left_out: tuple[recipients.Recipient, ...] = ()
        # Lines of an uploaded CSV that are not recipients: shown in the preview, not sent.
        self.refused: list[recipients.LineProblem] = []
        # The recipients of an earlier preview of this form (operations.models.BatchDraft),
        # used when the form comes back without a list or a file.
        self.draft = draft
        self.from_draft = False
        self.file_name = ""
        # A NUL is refused by the recipients parser with its line, like any hidden character.
        self.fields["recipients"].validators = []

    def clean_expires_on(self) -> date:
        value = self.cleaned_data["expires_on"]
        today = timezone.now().astimezone(UTC).date()
        if value <= today:
            raise ValidationError("Choose a date in the future.")
        if value > today + timedelta(days=MAX_EXPIRY_DAYS):
            raise ValidationError(f"Invitations can last at most {MAX_EXPIRY_DAYS} days.")
        return value

    def clean_recipients_file(self):
        upload = self.cleaned_data.get("recipients_file")
        if upload and upload.size > MAX_CSV_BYTES:
            raise ValidationError(
                f"The CSV file is {upload.size / 1024 / 1024:.1f} MB: at most "
                f"{MAX_CSV_BYTES // 1024 // 1024} MB."
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        typed = cleaned.get("recipients") or ""
        upload = cleaned.get("recipients_file")
        if not typed.strip() and not upload and self.draft is not None:
            self.parsed = self.draft_recipients()
            self.refused = [
                recipients.LineProblem(line, why, source)
                for source, line, why in (self.draft.refused)
            ]
            self.file_name = self.draft.file_name
            self.from_draft = True
        else:
            # Typed lines are few and can be fixed in place: each problem is an error at the
            # field. An uploaded file's bad lines are refused and listed in the preview.
            pasted = recipients.parse_text(typed)
            for problem in pasted.problems:
                self.add_error("recipients", str(problem))
            parsed = pasted
            if upload:
                self.file_name = upload.name or ""
                uploaded = recipients.parse_csv_lines(upload, max_field=MAX_CSV_BYTES)
                self.refused = uploaded.problems
                uploaded.problems = []
                parsed = recipients.merge(pasted, uploaded)
            self.parsed = parsed
        limit = settings.INVITE_MAX_RECIPIENTS
        if self.parsed.problems:
            return cleaned
        if not self.parsed.recipients:
            if self.refused:
                self.add_error(
                    "recipients_file",
                    f"No line of {self.file_name or 'the file'} is a recipient: "
                    f"{len(self.refused):,} line{'s' if len(self.refused) != 1 else ''} "
                    f"refused, the first: {self.refused[0]}",
                )
            else:
                self.add_error("recipients", "Enter at least one recipient.")
        elif len(self.parsed.recipients) > limit:
            self.add_error(
                "recipients_file" if upload or self.from_draft else "recipients",
                f"{len(self.parsed.recipients):,} recipients: at most {limit:,} per batch. "
                "Split the list and send it as more than one batch.",
            )
        return cleaned

    def draft_recipients(self) -> recipients.ParsedRecipients:
        parsed = recipients.ParsedRecipients(duplicates=self.draft.duplicates)
        for line in self.draft.recipients.splitlines():
            kind, _, value = line.partition(" ")
            parsed.recipients.append(recipients.Recipient(kind, value))
        return parsed

    def draft_fields(self) -> dict:
        """What a BatchDraft keeps of this form's recipients."""
        return {
            "recipients": "\n".join(f"{r.type} {r.value}" for r in self.parsed.recipients),
            "duplicates": self.parsed.duplicates,
            "refused": [[p.source, p.line, p.message] for p in self.refused],
            "file_name": self.file_name[:255],
        }

    @property
    def inline(self) -> bool:
        """The list is short enough to travel back in the preview page."""
        return len(self.parsed.recipients) <= INLINE_RECIPIENTS and not self.refused

    @property
    def expires_at(self) -> datetime:
        day = self.cleaned_data["expires_on"]
        return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)

    def leave_out(self, already_invited) -> None:
        """Recipients not to send to (they have a pending invitation from this agent)."""
        self.left_out = tuple(already_invited)

    @property
    def to_send(self) -> list[recipients.Recipient]:
        skipped = {recipient.identity for recipient in self.left_out}
        return [r for r in self.parsed.recipients if r.identity not in skipped]

    def chunk_bodies(self) -> list[tuple[list[recipients.Recipient], bytes]]:
        """The exact request bodies, one per chunk of at most 100 recipients."""
        return [
            (
                chunk,
                writes.invite_customers_body(
                    chunk,
                    self.cleaned_data["permissions"],
                    to_cents(self.cleaned_data["per_transaction"]),
                    self.expires_at,
                ),
            )
            for chunk in writes.chunks(self.to_send)
        ]

    def normalized_recipients(self) -> str:
        return "\n".join(recipient.value for recipient in self.parsed.recipients)


class ProposedAgentForm(forms.Form):
    agent = forms.ChoiceField(label="Agent")
    permissions = forms.MultipleChoiceField(
        choices=PERMISSION_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    per_transaction = dollars_field("Per transaction (USD)", required=False)
    daily = dollars_field("Daily (USD)", required=False)
    monthly = dollars_field("Monthly (USD)", required=False)

    def __init__(self, *args, agents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].choices = [("", "Choose an agent")] + [
            (agent.id, f"{agent.name} ({agent.id})") for agent in agents
        ]

    def proposed(self) -> writes.ProposedAgent:
        data = self.cleaned_data
        return writes.ProposedAgent(
            agent_id=data["agent"],
            permissions=tuple(data["permissions"]),
            per_transaction_cents=to_cents(data.get("per_transaction")),
            daily_cents=to_cents(data.get("daily")),
            monthly_cents=to_cents(data.get("monthly")),
        )


class BaseProposedAgentFormSet(forms.BaseFormSet):
    # Django's own wording ("Please submit at least 1 form.") means nothing to the person here.
    default_error_messages = {
        "too_few_forms": "Propose at least one agent.",
        "too_many_forms": "Propose at most %(num)d agents.",
    }

    def clean(self):
        if any(self.errors):
            return
        agents = [form.cleaned_data["agent"] for form in self.forms if form.cleaned_data]
        if len(agents) != len(set(agents)):
            raise ValidationError("Each agent can be proposed once.")


ProposedAgentFormSet = forms.formset_factory(
    ProposedAgentForm,
    formset=BaseProposedAgentFormSet,
    extra=2,
    min_num=1,
    max_num=10,
    validate_min=True,
    validate_max=True,
)


class DelegationInvitationForm(KeyedForm):
    customer_email = forms.EmailField(label="Customer email", max_length=254)
    permissions = forms.MultipleChoiceField(
        choices=PERMISSION_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    expires_in_days = forms.IntegerField(
        label="Expires in (days)", min_value=1, max_value=MAX_EXPIRY_DAYS, initial=7
    )


def utc_date_field(label: str) -> forms.DateField:
    """A day typed as YYYY-MM-DD, in UTC: the field says its format, where the browser's own
    date widget would show the user's locale."""
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(
            format="%Y-%m-%d",
            attrs={"placeholder": "YYYY-MM-DD", "pattern": r"\d{4}-\d{2}-\d{2}", "size": 11},
        ),
        help_text="YYYY-MM-DD, UTC",
    )


class AuditFilterForm(LocalTableForm):
    """The audit log's filters, read by operations/audit_entries.py for each kind of entry."""

    sortable = audit_entries.SORT_COLUMNS
    filter_fields = ("actor", "action", "state", "since", "until")

    actor = forms.ModelChoiceField(
        queryset=get_user_model().objects.order_by("username"),
        required=False,
        empty_label="Anyone",
        to_field_name="username",
    )
    action = forms.ChoiceField(
        choices=[("", "Any action"), *audit_entries.ACTION_CHOICES], required=False
    )
    state = forms.ChoiceField(
        choices=[("", "Any state"), *audit_entries.STATE_CHOICES],
        required=False,
    )
    since = utc_date_field("From")
    until = utc_date_field("To")

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return cleaned
