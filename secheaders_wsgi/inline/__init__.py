"""The inline code of HTML pages and templates, found and hashed.

A ground-floor package (it needs nothing of the rest): the ``hashes`` and
``audit --templates`` commands read templates with it, and
``framework_pages`` hashes the frameworks' own templates at start-up.
"""
