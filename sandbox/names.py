"""Plausible names and emails, plus the hostile strings the dashboard must always escape."""

import random
import re

FIRST_NAMES = (
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Amelia",
    "Oliver",
    "Sophia",
    "Elijah",
    "Isabella",
    "Mateo",
    "Mia",
    "Lucas",
    "Charlotte",
    "Levi",
    "Harper",
    "Ethan",
    "Evelyn",
    "James",
    "Aria",
    "Benjamin",
    "Chloe",
    "Henry",
    "Layla",
    "Sebastian",
    "Nora",
    "Jack",
    "Zoe",
    "Aiden",
    "Priya",
    "Wei",
    "Fatima",
    "Kenji",
    "Ana",
    "Diego",
    "Ingrid",
    "Tomasz",
    "Aisha",
    "Rahul",
    "Yuki",
    "Chidi",
    "Sofia",
    "Mohammed",
    "Hannah",
    "Omar",
    "Lucia",
    "Jonas",
    "Maya",
    "Andre",
    "Grace",
    "Samuel",
    "Leah",
    "Daniel",
    "Ruth",
    "Marco",
    "Elena",
    "Ivan",
)
LAST_NAMES = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Nguyen",
    "Patel",
    "Kim",
    "Chen",
    "Okafor",
    "Novak",
    "Kowalski",
    "Schmidt",
    "Rossi",
    "Tanaka",
    "Haddad",
    "Singh",
    "Cohen",
    "Murphy",
    "O'Connor",
    "Larsen",
    "Silva",
)
BUSINESS_WORDS = (
    "Northwind",
    "Bluebird",
    "Summit",
    "Harbor",
    "Cedar",
    "Redwood",
    "Pioneer",
    "Granite",
    "Lakeside",
    "Evergreen",
    "Riverbend",
    "Ironclad",
    "Brightline",
    "Keystone",
    "Meridian",
    "Silverline",
    "Oakridge",
    "Coastal",
    "Prairie",
    "Beacon",
    "Atlas",
    "Copperfield",
)
BUSINESS_KINDS = (
    "Freight",
    "Logistics",
    "Trucking",
    "Supply",
    "Carriers",
    "Hauling",
    "Couriers",
    "Distribution",
    "Transport",
    "Movers",
    "Shipping",
    "Express",
)
BUSINESS_SUFFIXES = ("LLC", "Inc", "Co", "Ltd", "Group", "& Sons", "Partners")
EMAIL_DOMAINS = (
    "example.com",
    "example.org",
    "example.net",
    "mail.example",
    "inbox.example",
    "fastmail.example",
    "post.example",
)
_NOT_EMAIL_SAFE = re.compile(r"[^a-z0-9.]")

# Invitations to this domain are created but reported in meta.emailFailures.
BOUNCING_DOMAIN = "bounce.example"

LONG_NAME = ("Maximiliana Wolfeschlegelsteinhausenbergerdorff " * 5)[:200]

# (name, email): the dashboard must render each of these as inert text.
HOSTILE_CUSTOMERS = (
    ("<script>alert(1)</script>", "script.kiddie@example.com"),
    ("\"Quoted\" & 'Apostrophe' Holdings", "o'brien@example.com"),
    ("שלום ‮gnp.exe مرحبا", "rtl.override@example.org"),
    (LONG_NAME, "very.long.name@example.net"),
    ("Jane Doe", "jane.doe+billing@example.com"),
    ("Robert'); DROP TABLE customers;--", "bobby.tables@example.org"),
    ("{{ 7*7 }} ${7*7} <img src=x onerror=alert(2)>", "template.probe@example.net"),
    ("Zoë Ångström-Øster 👩‍💼", "zoe.angstrom@example.com"),
)

HOSTILE_PROSPECT_EMAILS = (
    "new.customer+invite@example.com",
    '"quoted"@example.org',
    "o'hara.logistics@example.net",
)


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def business_name(rng: random.Random) -> str:
    return (
        f"{rng.choice(BUSINESS_WORDS)} {rng.choice(BUSINESS_KINDS)} {rng.choice(BUSINESS_SUFFIXES)}"
    )


def party_name(rng: random.Random) -> str:
    return business_name(rng) if rng.random() < 0.3 else person_name(rng)


def email_for(name: str, rng: random.Random, serial: int | None = None) -> str:
    local = _NOT_EMAIL_SAFE.sub("", name.lower().replace(" ", ".")).strip(".") or "customer"
    if serial is None:
        serial = rng.randrange(1, 10_000)
    return f"{local}.{serial}@{rng.choice(EMAIL_DOMAINS)}"
