"""The HTTP routes of API.md, one module per part of the contract."""
