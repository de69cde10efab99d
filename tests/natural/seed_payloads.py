"""The response examples of the five seed pages of the Natural docs, verbatim."""

BATCH_RESPONSE = {
    "data": [
        {
            "type": "customerInvitation",
            "id": "adi_550e8400e29b41d4a716446655440000",
            "attributes": {
                "recipient": {"type": "email", "value": "ops@example.com"},
                "status": "PENDING",
                "permissions": ["payments.create", "payments.read"],
                "limits": {"perTransaction": 100000},
                "expiresAt": "2026-01-18T12:00:00.000Z",
                "createdAt": "2026-01-11T12:00:00.000Z",
                "updatedAt": "2026-01-11T12:00:00.000Z",
            },
            "relationships": {
                "agent": {
                    "data": {
                        "type": "agent",
                        "id": "agt_3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f",
                        "attributes": {
                            "name": "Carrier Payment Agent",
                            "description": "Autonomous agent that pays delivery carriers",
                            "status": "ACTIVE",
                        },
                    }
                },
                "customerParty": {"data": None},
            },
        },
        {
            "type": "customerInvitation",
            "id": "adi_650e8400e29b41d4a716446655440000",
            "attributes": {
                "recipient": {"type": "phone", "value": "+14155550123"},
                "status": "PENDING",
                "permissions": ["payments.create", "payments.read"],
                "limits": {"perTransaction": 100000},
                "expiresAt": "2026-01-18T12:00:00.000Z",
                "createdAt": "2026-01-11T12:00:00.000Z",
                "updatedAt": "2026-01-11T12:00:00.000Z",
            },
            "relationships": {
                "agent": {
                    "data": {
                        "type": "agent",
                        "id": "agt_3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f",
                        "attributes": {
                            "name": "Carrier Payment Agent",
                            "description": "Autonomous agent that pays delivery carriers",
                            "status": "ACTIVE",
                        },
                    }
                },
                "customerParty": {"data": None},
            },
        },
        {
            "type": "customerInvitation",
            "id": "adi_750e8400e29b41d4a716446655440000",
            "attributes": {
                "recipient": {"type": "party_id", "value": "pty_4a8c9823f39c42a5b817556766551112"},
                "status": "PENDING",
                "permissions": ["payments.create", "payments.read"],
                "limits": {"perTransaction": 100000},
                "expiresAt": "2026-01-18T12:00:00.000Z",
                "createdAt": "2026-01-11T12:00:00.000Z",
                "updatedAt": "2026-01-11T12:00:00.000Z",
            },
            "relationships": {
                "agent": {
                    "data": {
                        "type": "agent",
                        "id": "agt_3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f",
                        "attributes": {
                            "name": "Carrier Payment Agent",
                            "description": "Autonomous agent that pays delivery carriers",
                            "status": "ACTIVE",
                        },
                    }
                },
                "customerParty": {
                    "data": {"type": "party", "id": "pty_4a8c9823f39c42a5b817556766551112"}
                },
            },
        },
    ],
    "meta": {"emailFailures": []},
}

DELEGATION_INVITATION_RESPONSE = {
    "data": {
        "type": "delegation_invitation",
        "id": "din_019cd3444a747fc494656a587201f193",
        "attributes": {
            "customer_email": "customer@example.com",
            "status": "PENDING",
            "permissions": ["payments.create", "wallets.read"],
            "expires_at": "2026-02-07T00:00:00Z",
            "token": None,
            "magic_link": None,
            "created_at": "2026-01-31T00:00:00Z",
        },
        "relationships": {
            "delegated_party": {
                "data": {"type": "party", "id": "pty_019cd1798d617f65a79cb965dda9eac3"}
            },
            "delegating_party": None,
        },
    }
}

AGENT_INVITATIONS_RESPONSE = {
    "data": [
        {
            "type": "agentDelegationInvitation",
            "id": "adi_550e8400e29b41d4a716446655440000",
            "attributes": {
                "developerName": "Acme Inc",
                "email": "ops@customer.com",
                "agentName": "Invoice Agent",
                "permissions": ["payments.read"],
                "limits": {"perTransaction": 100000},
                "status": "PENDING",
                "effectiveStatus": "PENDING",
                "expiresAt": "2026-01-12T10:15:00.000Z",
                "acceptedAt": None,
                "declinedAt": None,
                "cancelReason": None,
                "createdAt": "2026-01-05T10:15:00.000Z",
                "updatedAt": "2026-01-05T10:15:00.000Z",
            },
            "relationships": {
                "developerParty": {
                    "data": {"type": "party", "id": "pty_1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d"}
                },
                "customerParty": {"data": None},
                "agent": {"data": {"type": "agent", "id": "agt_3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f"}},
                "agentDelegation": {"data": None},
            },
        }
    ],
    "meta": {"pagination": {"hasMore": False, "nextCursor": None}},
}

CUSTOMERS_RESPONSE = {
    "data": [
        {
            "id": "pty_4a8c9823f39c42a5b817556766551112",
            "type": "customer",
            "attributes": {
                "name": "Acme Co",
                "email": "ops@acme.com",
                "createdAt": "2026-01-04T15:30:00.000Z",
            },
            "relationships": {
                "delegation": {
                    "data": {
                        "type": "delegation",
                        "id": "dlg_550e8400e29b41d4a716446655440000",
                        "attributes": {
                            "status": "ACTIVE",
                            "permissions": ["payments.read"],
                            "createdAt": "2026-01-10T12:00:00.000Z",
                        },
                    }
                },
                "agents": {
                    "data": [
                        {
                            "type": "agent",
                            "id": "agt_3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f",
                            "attributes": {
                                "name": "Invoice Agent",
                                "status": "ACTIVE",
                                "permissions": ["payments.read"],
                                "limits": {"perTransaction": 100000},
                            },
                        }
                    ]
                },
            },
        }
    ],
    "meta": {"pagination": {"hasMore": False, "nextCursor": None}},
}

AGENT_DELEGATIONS_RESPONSE = {
    "data": [
        {
            "type": "agent_delegation",
            "id": "adl_019cd36da26b791abb3be40fa9bfae31",
            "attributes": {
                "agent_name": None,
                "permissions": ["payments.create", "payments.read"],
                "limits": None,
                "expires_at": "2027-01-04T15:30:00Z",
                "created_at": "2026-01-04T15:30:00Z",
                "created_by": "usr_019cd3444a6c7c1e82cad58e0c4536b3",
                "updated_at": "2026-01-04T15:30:00Z",
                "delegating_party_name": None,
                "delegated_party_name": None,
            },
            "relationships": {
                "delegation": {
                    "data": {"type": "delegation", "id": "dlg_019cd36da26c7559a81b8d1b5ae415ee"}
                },
                "agent": {"data": {"type": "agent", "id": "agt_019cd1798d637a4da75dce386343931d"}},
                "delegating_party": {
                    "data": {"type": "party", "id": "pty_019cd3444a6b7afe95c91cfdc74a46eb"}
                },
                "delegated_party": {
                    "data": {"type": "party", "id": "pty_019cd1798d617f65a79cb965dda9eac3"}
                },
            },
        }
    ],
    "meta": {"pagination": {"has_more": False, "next_cursor": None}},
}
