"""Open311 GeoReport v2 (SPEC section 8): ``views`` (the routes), ``shapes`` (Teian's
data in Open311's terms), ``queries`` (the ``GET requests`` filters), ``formats`` (XML
and JSON from one description)."""
