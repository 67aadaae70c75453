"""Reference CRM server for the RM Desk sync contract (API.md)."""
