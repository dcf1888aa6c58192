import logging

from odoo.tests import tagged

from .common import PortalCase

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestPortalQueryCounts(PortalCase):
    """The pages read a bounded number of queries, whatever the size of the customer's history."""

    def _queries(self, url):
        self.url_open(url)  # warm the caches (templates, assets, session)
        before = self.cr.sql_log_count
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return self.cr.sql_log_count - before

    def _grow_history(self, count):
        self.env["crm.complaint"].create([{"subject": f"Issue {i}", "partner_id": self.alice.id} for i in range(count)])
        self.env["crm.relationship.suggestion"].create(
            [{"name": f"Idea {i}", "partner_id": self.alice.id} for i in range(count)]
        )
        self.env["crm.relationship.need"].create([{"name": f"Need {i}", "partner_id": self.alice.id} for i in range(5)])

    def test_queries_do_not_grow_with_history(self):
        self.login(self.alice_user)
        urls = ["/my/complaints", "/my/suggestions", "/my/relationship", "/my/loyalty", "/my/privacy"]
        self._grow_history(2)
        small = {url: self._queries(url) for url in urls}
        self._grow_history(60)
        large = {url: self._queries(url) for url in urls}
        for url in urls:
            _logger.info("portal queries %s: %s with a short history, %s with a long one", url, small[url], large[url])
            self.assertLessEqual(large[url], small[url] + 2, url)
