"""Old Excel workbooks (.xls, BIFF8) written by xlwt, an independent
writer, give the same results as the CSV files they were made from:

- the demo orders on a sheet "Commandes" behind a notes sheet (so the
  sheet is chosen with --sheet), dates as date cells with a dd/mm/yyyy
  format, amounts as numbers: the same RFM table as the CSV;
- the demo customers (ages as numbers, many distinct strings, so that the
  shared string table spans several records): the same KPI table;
- the sheets SegLens lists are the ones xlrd (an independent reader)
  lists, and every cell of the orders sheet that xlrd reads is the cell
  SegLens reads (dates as ISO dates), through seglens inspect and a
  CSV-equal RFM;
- a sheet name that is not in the workbook is refused, naming the sheets.

Usage: python xls_reference.py SEGLENS DEMO_DIR
"""

import csv
import datetime
import json
import os
import subprocess
import sys
import tempfile

import xlrd
import xlwt


def workbook(src, dst, sheet, dates=(), numbers=(), notes=True):
    book = xlwt.Workbook(encoding="utf-8")
    if notes:
        readme = book.add_sheet("Notes")
        readme.write(0, 0, "Export des ventes — généré pour SegLens")
        readme.write(1, 0, "Les montants sont en euros")
    ws = book.add_sheet(sheet)
    day = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    with open(src, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        header = next(rows)
        for c, name in enumerate(header):
            ws.write(0, c, name)
        for r, row in enumerate(rows, start=1):
            for c, (name, value) in enumerate(zip(header, row)):
                if not value:
                    continue
                if name in dates:
                    ws.write(r, c, datetime.date.fromisoformat(value), day)
                elif name in numbers:
                    ws.write(r, c, float(value))
                else:
                    ws.write(r, c, value)
    book.save(dst)


def run(binary, *args, check=True):
    done = subprocess.run([binary, *args], capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"seglens {' '.join(args)} failed: {done.stderr}")
    return done


def main():
    binary, demo = sys.argv[1:3]
    with tempfile.TemporaryDirectory() as tmp:
        orders = os.path.join(tmp, "ventes.xls")
        workbook(os.path.join(demo, "orders.csv"), orders, "Commandes",
                 dates={"order_date"}, numbers={"amount"})
        book = xlrd.open_workbook(orders)
        names = book.sheet_names()
        assert names == ["Notes", "Commandes"], names

        # The sheets, as xlrd lists them.
        inspect = json.loads(run(binary, "inspect", orders, "--sheet", "Commandes",
                                 "--format", "json").stdout)
        assert inspect["sheets"] == names, inspect["sheets"]
        sheet = book.sheet_by_name("Commandes")
        assert inspect["rows"] == sheet.nrows - 1, (inspect["rows"], sheet.nrows)
        assert inspect["rejected_total"] == 0, inspect["rejected"][:3]

        # Every cell as xlrd reads it, written as a CSV: the same RFM.
        rebuilt = os.path.join(tmp, "from-xlrd.csv")
        with open(rebuilt, "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            for r in range(sheet.nrows):
                cells = []
                for c in range(sheet.ncols):
                    cell = sheet.cell(r, c)
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        cells.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
                                     .date().isoformat())
                    elif cell.ctype == xlrd.XL_CELL_NUMBER:
                        cells.append(repr(cell.value))
                    else:
                        cells.append(cell.value)
                out.writerow(cells)
        from_csv = run(binary, "rfm", "--orders", os.path.join(demo, "orders.csv")).stdout
        from_xlrd = run(binary, "rfm", "--orders", rebuilt).stdout
        from_xls = run(binary, "rfm", "--orders", orders, "--sheet", "Commandes").stdout
        assert from_xlrd == from_csv, "xlrd's reading of the workbook differs from the CSV"
        assert from_xls == from_csv, "RFM differs between the CSV and the .xls workbook"

        # The first sheet is read by default: the notes, which hold no orders.
        refused = run(binary, "rfm", "--orders", orders, check=False)
        assert refused.returncode != 0, "the notes sheet was read as orders"
        missing = run(binary, "rfm", "--orders", orders, "--sheet", "Ventes 2025", check=False)
        assert missing.returncode != 0 and "Commandes" in missing.stderr, missing.stderr

        # Customers: many distinct strings (the shared strings span
        # CONTINUE records), ages as numbers.
        customers = os.path.join(tmp, "clients.xls")
        workbook(os.path.join(demo, "customers.csv"), customers, "Clients",
                 numbers={"age"}, notes=False)
        args = ["kpis", "--orders", os.path.join(demo, "orders.csv"), "--format", "csv"]
        with_csv = run(binary, *args, "--customers", os.path.join(demo, "customers.csv")).stdout
        with_xls = run(binary, *args, "--customers", customers).stdout
        assert with_csv == with_xls, "KPIs differ between the customers CSV and .xls"
        print(f"xlwt .xls workbooks: sheets as xlrd lists them, RFM of {len(from_csv.splitlines()) - 1} "
              "customers and the KPI table equal to the CSV files'")


if __name__ == "__main__":
    main()
