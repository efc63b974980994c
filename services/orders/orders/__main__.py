from orders.app import create
from orders.settings import OrdersSettings
from shared.app import serve

settings = OrdersSettings()
serve(lambda: create(settings), settings, service="orders", port=settings.port)
