"""WTForms definitions: each form is the one source of its rules, shared by
the web pages, the JSON API and Open311."""
