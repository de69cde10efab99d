"""Deterministic demo data: the same seed number always gives the same ids, names and shape.

Timestamps are laid out relative to the clock at seeding time, so "expires within 48 hours"
and "already past expiresAt" stay true whenever the sandbox starts.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sandbox import names
from sandbox.ids import new_id
from sandbox.models import (
    PERMISSIONS,
    Agent,
    AgentDelegation,
    AgentInvitation,
    Customer,
    Delegation,
    DelegationInvitation,
    Party,
    ProposedAgent,
    Recipient,
    User,
)
from sandbox.store import AGENT_DELEGATION_LIFETIME, Store

AGENT_PROFILES = (
    ("Invoice Agent", "Pays supplier invoices once they are approved", 100_000),
    ("Carrier Payment Agent", "Autonomous agent that pays delivery carriers", 250_000),
    ("Refund Agent", "Issues refunds to customers for returned orders", 50_000),
    ("Payroll Agent", "Runs contractor payouts every other Friday", 500_000),
    ("Subscription Billing Agent", "Collects monthly subscription fees", 25_000),
    ("Expense Agent", "Reimburses approved employee expenses", 75_000),
)
USER_NAMES = ("Dana Whitaker", "Luis Ortega", "Mei Tanaka")
LIMIT_CHOICES = (10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000)
INVITATION_MIX = (
    ("PENDING", 0.30),
    ("ACCEPTED", 0.25),
    ("DECLINED", 0.15),
    ("EXPIRED", 0.12),
    ("CANCELED", 0.18),
)
INVITATION_LIFETIME = timedelta(days=30)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class SeedConfig:
    seed: int = 7
    customers: int = 250
    invitations: int = 400
    delegations: int = 300
    agents: int = 4
    # din_ invitations; None: a tenth of the agent invitations (at least 12).
    delegation_invitation_count: int | None = None

    @property
    def delegation_invitations(self) -> int:
        if self.delegation_invitation_count is not None:
            return self.delegation_invitation_count
        return max(12, self.invitations // 10)


def runtime_rng(seed: int) -> random.Random:
    """Randomness for ids minted after seeding: separate, so seeding stays stable."""
    return random.Random(f"natural-sandbox-runtime-{seed}")


def populate(store: Store, config: SeedConfig, now: datetime) -> None:
    rng = random.Random(config.seed)
    _Seeder(store, config, rng, now).run()


class _Seeder:
    def __init__(self, store: Store, config: SeedConfig, rng: random.Random, now: datetime):
        self.store = store
        self.config = config
        self.rng = rng
        self.now = now

    def ago(self, low: timedelta, high: timedelta) -> datetime:
        return self.between(self.now - high, self.now - low)

    def between(self, start: datetime, end: datetime) -> datetime:
        if end <= start:
            return start
        span_ms = int((end - start).total_seconds() * 1000)
        return start + timedelta(milliseconds=self.rng.randrange(span_ms))

    def permissions(self) -> list[str]:
        extra = [p for p in PERMISSIONS if p != "payments.read" and self.rng.random() < 0.4]
        return ["payments.read", *extra]

    def run(self) -> None:
        self.seed_developer()
        agents = self.seed_agents()
        customers = self.seed_customers()
        agent_delegations = self.seed_agent_delegations(customers, agents)
        prospects = self.prospect_emails()
        self.seed_invitations(customers, agents, agent_delegations, prospects)
        self.seed_delegation_invitations(customers, agents, prospects)

    def seed_developer(self) -> None:
        store = self.store
        store.developer = Party(
            id=new_id("pty", self.rng),
            name="Acme Inc",
            email="platform@acme.example",
            created_at=self.now - 800 * DAY,
        )
        store.users = [User(id=new_id("usr", self.rng), name=name) for name in USER_NAMES]

    def seed_agents(self) -> list[Agent]:
        agents = []
        for index in range(self.config.agents):
            if index < len(AGENT_PROFILES):
                name, description, limit = AGENT_PROFILES[index]
            else:
                name, description, limit = f"Agent {index + 1}", None, None
            created_at = self.now - (700 - 40 * min(index, 15)) * DAY
            agents.append(
                Agent(
                    id=new_id("agt", self.rng),
                    name=name,
                    description=description,
                    status="ACTIVE",
                    per_transaction_limit=limit,
                    created_at=created_at,
                    created_by=self.rng.choice(self.store.users).id,
                    updated_at=created_at + 3 * DAY,
                )
            )
        self.store.agents.load(agents)
        return agents

    def seed_customers(self) -> list[Customer]:
        """Newest first. The hostile names sit right behind the newest, on the first page."""
        count = self.config.customers
        ages = sorted(self.rng.randrange(3_600_000, 540 * 86_400_000) for _ in range(count))
        hostile = iter(names.HOSTILE_CUSTOMERS)
        customers = []
        for index, age_ms in enumerate(ages):
            created_at = self.now - timedelta(milliseconds=age_ms)
            special = next(hostile, None) if index >= 1 else None
            if special is not None:
                name, email = special
            else:
                name = names.party_name(self.rng)
                email = names.email_for(name, self.rng, serial=index)
            party = Party(id=new_id("pty", self.rng), name=name, email=email, created_at=created_at)
            delegation = Delegation(
                id=new_id("dlg", self.rng),
                customer_id=party.id,
                permissions=[],
                status="ACTIVE",
                created_at=created_at,
            )
            customers.append(Customer(party=party, delegation=delegation))
        self.store.load_customers(customers)
        return customers

    def seed_agent_delegations(
        self, customers: list[Customer], agents: list[Agent]
    ) -> list[AgentDelegation]:
        """One per customer, newest customers first; what is left goes to random customers."""
        if not customers or not agents:
            return []
        wanted = min(self.config.delegations, len(customers) * len(agents))
        pairs: list[tuple[Customer, Agent]] = []
        taken: set[tuple[str, str]] = set()
        for customer in customers[:wanted]:
            agent = self.rng.choice(agents)
            pairs.append((customer, agent))
            taken.add((customer.party.id, agent.id))
        while len(pairs) < wanted:
            customer, agent = self.rng.choice(customers), self.rng.choice(agents)
            if (customer.party.id, agent.id) not in taken:
                pairs.append((customer, agent))
                taken.add((customer.party.id, agent.id))

        agent_delegations = []
        for index, (customer, agent) in enumerate(pairs):
            created_at = self.between(
                customer.party.created_at, min(self.now, customer.party.created_at + 30 * DAY)
            )
            permissions = self.permissions()
            agent_delegation = AgentDelegation(
                id=new_id("adl", self.rng),
                delegation_id=customer.delegation.id,
                agent_id=agent.id,
                customer_id=customer.party.id,
                permissions=permissions,
                per_transaction_limit=self.rng.choice(LIMIT_CHOICES),
                expires_at=created_at + AGENT_DELEGATION_LIFETIME,
                created_at=created_at,
                created_by=self.rng.choice(self.store.users).id,
                updated_at=created_at,
            )
            # Index 0 belongs to the newest customer, who keeps an active agent.
            if index > 0 and self.rng.random() < 0.12:
                agent_delegation.revoked_at = self.between(created_at, self.now)
                agent_delegation.updated_at = agent_delegation.revoked_at
            for permission in permissions:
                if permission not in customer.delegation.permissions:
                    customer.delegation.permissions.append(permission)
            agent_delegations.append(agent_delegation)
        self.store.agent_delegations.load(agent_delegations)
        for agent_delegation in sorted(agent_delegations, key=lambda adl: adl.created_at):
            self.store.link_agent_delegation(agent_delegation)
        return agent_delegations

    def prospect_emails(self) -> list[str]:
        """People invited but not (yet) customers; fewer than invitations, so some repeat."""
        count = max(10, int(self.config.invitations * 0.6))
        emails = list(names.HOSTILE_PROSPECT_EMAILS)
        for serial in range(count - len(emails)):
            emails.append(names.email_for(names.person_name(self.rng), self.rng, 100_000 + serial))
        return emails

    def phone(self) -> str:
        area = self.rng.choice(("415", "212", "312", "646", "206", "512", "617"))
        return f"+1{area}555{self.rng.randrange(10_000):04d}"

    def invitation_statuses(self) -> list[str]:
        total = self.config.invitations
        statuses: list[str] = []
        for status, share in INVITATION_MIX:
            statuses += [status] * max(1, round(total * share))
        del statuses[total:]
        self.rng.shuffle(statuses)
        return statuses

    def seed_invitations(
        self,
        customers: list[Customer],
        agents: list[Agent],
        agent_delegations: list[AgentDelegation],
        prospects: list[str],
    ) -> None:
        if not agents:
            return
        accepted_sources = self.rng.sample(
            agent_delegations, k=min(len(agent_delegations), self.config.invitations)
        )
        invitations = []
        pending_seen = 0
        for status in self.invitation_statuses():
            if status == "ACCEPTED" and accepted_sources:
                invitations.append(self.accepted_invitation(accepted_sources.pop()))
                continue
            if status == "ACCEPTED":
                status = "DECLINED"
            invitation = self.open_invitation(status, customers, agents, prospects)
            if status == "PENDING":
                # Every tenth pending one has lapsed and every seventh expires within 48 h.
                if pending_seen % 10 == 3:
                    invitation.created_at = self.ago(31 * DAY, 89 * DAY)
                    invitation.expires_at = invitation.created_at + INVITATION_LIFETIME
                elif pending_seen % 7 == 2:
                    invitation.expires_at = self.between(
                        self.now + timedelta(hours=1), self.now + timedelta(hours=47)
                    )
                    invitation.created_at = invitation.expires_at - INVITATION_LIFETIME
                invitation.updated_at = invitation.created_at
                pending_seen += 1
            invitations.append(invitation)
        # The first row of GET /agents/invitations then looks like the docs' example, which
        # only shows email recipients (phone recipients have no email).
        newest = max(invitations, key=lambda invitation: invitation.created_at)
        if newest.recipient.type != "email":
            newest.recipient = Recipient("email", prospects[0])
            newest.customer_id = None
        self.store.invitations.load(invitations)

    def accepted_invitation(self, agent_delegation: AgentDelegation) -> AgentInvitation:
        customer = self.store.customers.get(agent_delegation.customer_id)
        assert customer is not None
        assert customer.party.email is not None
        accepted_at = agent_delegation.created_at
        created_at = accepted_at - timedelta(hours=self.rng.randrange(1, 120))
        return AgentInvitation(
            id=new_id("adi", self.rng),
            agent_id=agent_delegation.agent_id,
            recipient=Recipient("email", customer.party.email),
            permissions=list(agent_delegation.permissions),
            per_transaction_limit=agent_delegation.per_transaction_limit,
            status="ACCEPTED",
            expires_at=created_at + INVITATION_LIFETIME,
            created_at=created_at,
            updated_at=accepted_at,
            accepted_at=accepted_at,
            customer_id=customer.party.id,
            agent_delegation_id=agent_delegation.id,
        )

    def open_invitation(
        self, status: str, customers: list[Customer], agents: list[Agent], prospects: list[str]
    ) -> AgentInvitation:
        roll = self.rng.random()
        customer_id = None
        if roll < 0.1 and customers:
            customer_id = self.rng.choice(customers).party.id
            recipient = Recipient("party_id", customer_id)
        elif roll < 0.2:
            recipient = Recipient("phone", self.phone())
        else:
            recipient = Recipient("email", self.rng.choice(prospects))
        if status == "EXPIRED":
            created_at = self.ago(31 * DAY, 89 * DAY)
        elif status == "PENDING":
            created_at = self.ago(timedelta(minutes=5), 20 * DAY)
        else:
            created_at = self.ago(timedelta(minutes=5), 89 * DAY)
        invitation = AgentInvitation(
            id=new_id("adi", self.rng),
            agent_id=self.rng.choice(agents).id,
            recipient=recipient,
            permissions=self.permissions(),
            per_transaction_limit=self.rng.choice(LIMIT_CHOICES),
            status=status,
            expires_at=created_at + INVITATION_LIFETIME,
            created_at=created_at,
            updated_at=created_at,
            customer_id=customer_id,
        )
        reaction_at = min(self.now, created_at + timedelta(minutes=self.rng.randrange(10, 4000)))
        if status == "DECLINED":
            invitation.declined_at = reaction_at
            invitation.updated_at = reaction_at
        elif status == "CANCELED":
            invitation.cancel_reason = "DEVELOPER_REVOKED"
            invitation.updated_at = reaction_at
        elif status == "EXPIRED":
            invitation.updated_at = invitation.expires_at
        return invitation

    def seed_delegation_invitations(
        self, customers: list[Customer], agents: list[Agent], prospects: list[str]
    ) -> None:
        statuses = ("PENDING", "PENDING", "ACCEPTED", "REVOKED", "EXPIRED", "DECLINED")
        invitations = []
        for index in range(self.config.delegation_invitations):
            status = statuses[index % len(statuses)]
            customer_id = None
            email = self.rng.choice(prospects)
            if status == "ACCEPTED" and customers:
                customer = self.rng.choice(customers)
                customer_id, email = customer.party.id, customer.party.email or email
            lifetime_days = self.rng.choice((7, 14, 30))
            if status == "PENDING":
                created_at = self.ago(timedelta(minutes=5), 6 * DAY)
            else:
                created_at = self.ago(31 * DAY, 60 * DAY)
            proposed = [
                ProposedAgent(
                    agent_id=agent.id,
                    permissions=["payments.create"],
                    limits={
                        "perTransaction": agent.per_transaction_limit,
                        "daily": None,
                        "monthly": None,
                    },
                )
                for agent in self.rng.sample(agents, k=min(len(agents), self.rng.randint(1, 2)))
            ]
            invitations.append(
                DelegationInvitation(
                    id=new_id("din", self.rng),
                    customer_email=email,
                    permissions=self.permissions(),
                    proposed_agents=proposed,
                    status=status,
                    expires_at=created_at + lifetime_days * DAY,
                    created_at=created_at,
                    customer_id=customer_id,
                )
            )
        self.store.delegation_invitations.load(invitations)
