"""Scaling the seeded account from the command line, delegation invitations included."""

from sandbox.__main__ import parse_args
from sandbox.app import SandboxApp
from sandbox.seed import SeedConfig
from tests.sandbox.support import TOKEN


def test_delegation_invitations_scale_on_their_own():
    config = SeedConfig(
        customers=30, invitations=40, delegations=30, delegation_invitation_count=75
    )

    counts = SandboxApp(TOKEN, config).counts()

    assert counts["delegationInvitations"] == 75
    assert counts["invitations"] == 40


def test_by_default_delegation_invitations_follow_the_invitations():
    assert SeedConfig(invitations=400).delegation_invitations == 40


def test_the_command_line_takes_every_size():
    args = parse_args(
        ["--customers", "9", "--invitations", "8", "--delegations", "7"]
        + ["--delegation-invitations", "6"]
    )

    assert (args.customers, args.invitations, args.delegations) == (9, 8, 7)
    assert args.delegation_invitations == 6
    assert parse_args([]).delegation_invitations is None
