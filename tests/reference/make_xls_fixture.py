"""Writes tests/fixtures/ventes.xls with xlwt (an independent .xls writer)
and, beside it, ventes.csv: the orders sheet as SegLens is expected to
read it, written out by hand here (dates as ISO dates, numbers in their
shortest form, booleans as TRUE/FALSE, CSV quoting).

The workbook has a notes sheet first and the orders second; its cells
use shared strings in one-byte and two-byte characters, date cells,
integers, decimals, a refund and booleans.

Usage: python make_xls_fixture.py OUT_DIR
"""

import datetime
import os
import sys

import xlwt

ROWS = [
    ("Éloïse Müller", datetime.date(2024, 1, 31), 40.35, "Première commande — livrée à Orléans", True),
    ("bob@example.com", datetime.date(2024, 2, 29), 12, "", True),
    ("Éloïse Müller", datetime.date(2024, 3, 15), -3.5, "remboursement partiel, Łódź", False),
    ("bob@example.com", datetime.date(2024, 4, 1), 1234.5, 'dit "merci"', True),
]

EXPECTED = '''client,date de commande,montant TTC,note,payée
Éloïse Müller,2024-01-31,40.35,Première commande — livrée à Orléans,TRUE
bob@example.com,2024-02-29,12,,TRUE
Éloïse Müller,2024-03-15,-3.5,"remboursement partiel, Łódź",FALSE
bob@example.com,2024-04-01,1234.5,"dit ""merci""",TRUE
'''


def main():
    out = sys.argv[1]
    book = xlwt.Workbook(encoding="utf-8")
    notes = book.add_sheet("Lisez-moi")
    notes.write(0, 0, "Export de la boutique")
    notes.write(1, 0, "Les commandes sont sur la feuille Commandes")
    sheet = book.add_sheet("Commandes")
    day = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    for c, name in enumerate(["client", "date de commande", "montant TTC", "note", "payée"]):
        sheet.write(0, c, name)
    for r, (who, when, amount, note, paid) in enumerate(ROWS, start=1):
        sheet.write(r, 0, who)
        sheet.write(r, 1, when, day)
        sheet.write(r, 2, amount)
        if note:
            sheet.write(r, 3, note)
        sheet.write(r, 4, paid)
    book.save(os.path.join(out, "ventes.xls"))
    with open(os.path.join(out, "ventes.csv"), "w", encoding="utf-8", newline="") as f:
        f.write(EXPECTED)


if __name__ == "__main__":
    main()
