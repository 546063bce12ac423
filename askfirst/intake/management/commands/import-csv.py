from askfirst.intake.management.commands._import import ImportCommand


class Command(ImportCommand):
    help = (
        "Import contacts from a CSV file (UTF-8 or Windows-1252, comma or semicolon, "
        "English or German headers). Rejected rows go to FILE.rejects.csv with a reason."
    )
    kind = "csv"
