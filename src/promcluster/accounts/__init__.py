"""Accounts: users and their scope, the login pages, user administration and the audit log
as each user may read it."""
