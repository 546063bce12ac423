from askfirst.consent.services import Proof
from askfirst.hooks.models import Endpoint

PORTAL = Proof(channel="portal", language="de", token_hash="a" * 64)


def endpoint_for(receiver, **fields) -> Endpoint:
    return Endpoint.objects.create(name="CRM", url=receiver.url, **fields)
