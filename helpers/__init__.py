"""Helpers for the Dong & Ding replication book: data, measures, models, tables, audit."""
