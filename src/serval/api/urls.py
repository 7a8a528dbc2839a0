from ninja import NinjaAPI

api = NinjaAPI(title="Serval API", version="1", urls_namespace="api")
