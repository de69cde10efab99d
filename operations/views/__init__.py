"""Pages of the operations app: invitation forms, batch results and the audit log."""
