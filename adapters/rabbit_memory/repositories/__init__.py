"""Thin in-memory repositories: each one a query per port method over a typed table view."""
