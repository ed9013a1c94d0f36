"""storeops erase-customer --store CODE --buyer ID [--user NAME]: remove a buyer's personal data
(receiver name, phone, street address, messages) from the store's orders; the orders, amounts and
figures stay. Audited."""

from django.core.management.base import BaseCommand, CommandError

from storeops.core.errors import DomainError


class Command(BaseCommand):
    help = "删除买家的个人信息（保留订单与金额）/ Erase a buyer's personal data from orders"

    def add_arguments(self, parser):
        parser.add_argument("--store", required=True, help="store code (店铺编码)")
        parser.add_argument("--buyer", required=True, help="the buyer's id or nick on the platform")
        parser.add_argument("--user", default="admin", help="the user the erasure runs as")

    def handle(self, *args, **options):
        from storeops.accounts.models import User
        from storeops.accounts.selectors import store_get
        from storeops.orders.services.erase import buyer_personal_data_erase

        actor = User.objects.filter(username=options["user"], is_active=True).first()
        if actor is None:
            raise CommandError(f"用户不存在：{options['user']}")
        try:
            store = store_get(actor=actor, code=options["store"])
            count = buyer_personal_data_erase(actor=actor, store=store, buyer=options["buyer"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已删除 {count} 个订单中的买家个人信息（订单与金额保留）")
