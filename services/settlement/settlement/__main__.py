from settlement.app import create
from settlement.settings import SettlementSettings
from shared.app import serve

settings = SettlementSettings()
serve(lambda: create(settings), settings, service="settlement", port=settings.port)
