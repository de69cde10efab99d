"""The browse pages: invitations, customers, agent delegations, the id lookup and CSV exports."""
