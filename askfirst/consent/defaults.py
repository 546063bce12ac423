"""The four purposes and the first wording of their consent texts.

Installed by a data migration; tests that flush the database re-install them.
"""

import hashlib
from typing import Any

PURPOSES: list[dict[str, Any]] = [
    {
        "key": "storage",
        "position": 1,
        "requires": None,
        "name_de": "Speicherung und Verarbeitung",
        "name_en": "Storage and processing",
        "description_de": "Wir speichern Ihre Kontaktdaten und nutzen sie, um mit Ihnen in Kontakt zu bleiben.",
        "description_en": "We store your contact details and use them to stay in touch with you.",
        "text_de": "Ich willige ein, dass meine Kontaktdaten gespeichert und verarbeitet werden, damit das Unternehmen mit mir in Kontakt bleiben kann. Ich kann diese Einwilligung jederzeit widerrufen.",
        "text_en": "I agree that my contact details are stored and processed so that the company can stay in touch with me. I can withdraw this consent at any time.",
    },
    {
        "key": "newsletter",
        "position": 2,
        "requires": "storage",
        "name_de": "E-Mail-Newsletter",
        "name_en": "Email newsletter",
        "description_de": "Wir senden Ihnen gelegentlich einen Newsletter per E-Mail.",
        "description_en": "We occasionally send you a newsletter by email.",
        "text_de": "Ich möchte den E-Mail-Newsletter erhalten. Ich kann ihn jederzeit abbestellen.",
        "text_en": "I want to receive the email newsletter. I can unsubscribe at any time.",
    },
    {
        "key": "tracking",
        "position": 3,
        "requires": "storage",
        "name_de": "Personalisiertes Tracking",
        "name_en": "Personalised tracking",
        "description_de": "Wir werten Ihre Besuche auf unserer Website personenbezogen aus.",
        "description_en": "We analyse your visits to our website in a personalised way.",
        "text_de": "Ich willige ein, dass meine Besuche auf der Website meiner Person zugeordnet und ausgewertet werden.",
        "text_en": "I agree that my visits to the website are linked to me and analysed.",
    },
    {
        "key": "extranet",
        "position": 4,
        "requires": "storage",
        "name_de": "Austausch im Extranet",
        "name_en": "Sharing in the extranet",
        "description_de": "Andere Kunden sehen im Extranet die Angaben, die Sie dafür freigeben.",
        "description_en": "Other customers see, in the extranet, the details you choose to share.",
        "text_de": "Ich willige ein, dass die von mir freigegebenen Angaben anderen Kunden im Extranet angezeigt werden.",
        "text_en": "I agree that the details I choose to share are shown to other customers in the extranet.",
    },
]


def purposes_install(apps) -> None:
    Purpose = apps.get_model("consent", "Purpose")
    if Purpose.objects.exists():
        return
    ConsentText = apps.get_model("consent", "ConsentText")
    created: dict[str, Any] = {}
    for spec in PURPOSES:
        purpose = Purpose.objects.create(
            key=spec["key"],
            position=spec["position"],
            requires=created.get(spec["requires"]),
            name_de=spec["name_de"],
            name_en=spec["name_en"],
            description_de=spec["description_de"],
            description_en=spec["description_en"],
        )
        created[spec["key"]] = purpose
        for language in ("de", "en"):
            body = spec[f"text_{language}"]
            ConsentText.objects.create(
                purpose=purpose,
                language=language,
                version=1,
                body=body,
                body_hash=hashlib.sha256(body.encode("utf-8")).hexdigest(),
            )
