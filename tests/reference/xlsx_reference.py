"""The demo orders and customers written as Excel workbooks by openpyxl
(an independent writer: shared strings, order dates as real Excel dates,
amounts and ages as numbers), and as OpenDocument spreadsheets by pandas
with odfpy (dates as date cells, numbers as floats), give the same RFM
segments and the same KPI table as the CSV files.

Usage: python xlsx_reference.py SEGLENS DEMO_DIR
"""

import csv
import datetime
import os
import subprocess
import sys
import tempfile

import openpyxl
import pandas


def workbook(src, dst, dates=(), numbers=()):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Export"
    with open(src, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        header = next(rows)
        ws.append(header)
        for row in rows:
            cells = []
            for name, value in zip(header, row):
                if name in dates and value:
                    cells.append(datetime.date.fromisoformat(value))
                elif name in numbers and value:
                    cells.append(float(value))
                else:
                    cells.append(value)
            ws.append(cells)
    wb.save(dst)


def spreadsheet(src, dst, dates=(), numbers=()):
    """The CSV file as an ODS sheet written by pandas' odf engine."""
    frame = pandas.read_csv(src, dtype=str, keep_default_na=False)
    for name in dates:
        frame[name] = [datetime.date.fromisoformat(v) if v else None for v in frame[name]]
    for name in numbers:
        frame[name] = [float(v) if v else None for v in frame[name]]
    frame.to_excel(dst, engine="odf", index=False, sheet_name="Export")


def run(binary, *args):
    return subprocess.run([binary, *args], check=True, capture_output=True, text=True).stdout


def main():
    binary, demo = sys.argv[1:3]
    with tempfile.TemporaryDirectory() as tmp:
        orders = os.path.join(tmp, "orders.xlsx")
        workbook(os.path.join(demo, "orders.csv"), orders, dates={"order_date"}, numbers={"amount"})
        from_csv = run(binary, "rfm", "--orders", os.path.join(demo, "orders.csv"))
        from_xlsx = run(binary, "rfm", "--orders", orders)
        assert from_csv == from_xlsx, "RFM differs between the CSV and the workbook"
        customers = os.path.join(tmp, "customers.xlsx")
        workbook(os.path.join(demo, "customers.csv"), customers, numbers={"age"})
        args = ["kpis", "--orders", os.path.join(demo, "orders.csv"), "--format", "csv"]
        with_csv = run(binary, *args, "--customers", os.path.join(demo, "customers.csv"))
        with_xlsx = run(binary, *args, "--customers", customers)
        assert with_csv == with_xlsx, "KPIs differ between the customers CSV and workbook"
        print(f"openpyxl workbooks: RFM of {len(from_csv.splitlines()) - 1} customers and the KPI table "
              "equal to the CSV files'")
        orders_ods = os.path.join(tmp, "orders.ods")
        spreadsheet(os.path.join(demo, "orders.csv"), orders_ods, dates={"order_date"}, numbers={"amount"})
        assert run(binary, "rfm", "--orders", orders_ods) == from_csv, "RFM differs between the CSV and the ODS"
        customers_ods = os.path.join(tmp, "customers.ods")
        spreadsheet(os.path.join(demo, "customers.csv"), customers_ods, numbers={"age"})
        with_ods = run(binary, *args, "--customers", customers_ods)
        assert with_csv == with_ods, "KPIs differ between the customers CSV and ODS"
        print("pandas/odfpy spreadsheets (ODS): the same RFM and KPI table")


if __name__ == "__main__":
    main()
