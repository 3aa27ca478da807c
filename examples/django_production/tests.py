"""The project's own tests: each page has the headers security.yaml sends.

Run them as any Django project's tests, from the repository root::

    DJANGO_SECRET_KEY=test python -m django test examples.django_production \
        --settings examples.django_production.settings
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.test import TestCase

from secheaders_wsgi.testing import assert_secure_headers


class SecurityHeadersTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = User.objects.create_superuser("admin", "admin@example.com", "pw")

    def test_home_page(self) -> None:
        assert_secure_headers(self.client.get("/"), settings.SECHEADERS)

    def test_admin_login_page(self) -> None:
        assert_secure_headers(self.client.get("/admin/login/"), settings.SECHEADERS)

    def test_admin_pages(self) -> None:
        self.client.force_login(self.admin)
        change = f"/admin/auth/user/{self.admin.pk}/change/"
        for path in ["/admin/", "/admin/auth/user/", change]:
            with self.subTest(path=path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 200)
                assert_secure_headers(response, settings.SECHEADERS)
