"""Glue between a validated workshop and JupyterHub."""
