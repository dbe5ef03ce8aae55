"""Personal data in free text: the scan (``scan.py``, patterns in ``patterns.toml``)."""
