"""Roles, permissions and the login policy."""
