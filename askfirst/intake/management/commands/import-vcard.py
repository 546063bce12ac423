from askfirst.intake.management.commands._import import ImportCommand


class Command(ImportCommand):
    help = (
        "Import business cards from a vCard file (.vcf, versions 3 and 4, many cards). "
        "Rejected cards go to FILE.rejects.csv with a reason."
    )
    kind = "vcard"
