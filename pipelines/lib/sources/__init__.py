"""Clients that fetch raw files and API responses from external sources."""
