"""Administration (SPEC section 7): the office edits the city's organisation — departments,
themes, districts, routing rules, officers and API tokens — without a developer.

- ``changes``     who may change what; each change as an ``admin_change`` event on the
                  audit log's system chain
- ``operations``  departments, categories, districts and routing rules, and the preview
- ``officers``    officers (department, primary, absence, role) and API tokens
- ``accounts``    a new officer's account, for the page, the API and ``teian create-user``
                  alike, and its invitation mail
- ``queries``     the lists the pages and the API show
- ``shapes``      their JSON shapes

Like every area's operations, none of it imports Flask: the doors (``intake.api.admin``,
``intake.web.staff.admin*``) parse with the forms of ``forms.admin`` and call these.
"""
