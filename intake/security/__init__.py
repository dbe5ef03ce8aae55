"""Defences that apply to every request: response headers (``headers``)."""
