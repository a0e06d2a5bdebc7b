"""Adapters: public survey microdata mapped onto the canonical schema (``envipe``: INEGI's ENVIPE)."""
