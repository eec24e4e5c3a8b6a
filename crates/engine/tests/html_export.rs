//! An HTML table saved as `.xls`, as web back-offices export orders: read
//! as a workbook, its rows as the same rows in a CSV file are read.

use seglens_engine::{ImportOptions, import_orders};

#[test]
fn an_html_table_saved_as_xls_reads_as_its_csv() {
    let html = "<html><head><meta charset=\"utf-8\"></head><body><table>\
        <tr><th>N&deg; commande</th><th>Client</th><th>Date de commande</th><th>Montant TTC</th></tr>\
        <tr><td>C1</td><td>dupont</td><td>03/02/2024</td><td>12,50&nbsp;&euro;</td></tr>\
        <tr><td>C2</td><td>Martin &amp; fils</td><td>14/02/2024</td><td>1&nbsp;020,00 &euro;</td></tr>\
        </table></body></html>";
    let csv = "N° commande;Client;Date de commande;Montant TTC\n\
               C1;dupont;03/02/2024;12,50 €\n\
               C2;Martin & fils;14/02/2024;1 020,00 €\n";
    let (from_html, report) =
        import_orders("commandes.xls", html.as_bytes(), ImportOptions::default()).unwrap();
    let (from_csv, _) =
        import_orders("commandes.csv", csv.as_bytes(), ImportOptions::default()).unwrap();
    assert_eq!(from_html, from_csv);
    assert_eq!(
        report.delimiter,
        "HTML table saved as a workbook (first sheet)"
    );
    assert_eq!(from_html.amount, vec![12.5, 1020.0]);
    assert_eq!(report.currency.as_deref(), Some("EUR"));
}

#[test]
fn a_workbook_with_accented_headers_keeps_them() {
    // Its zip bytes are no UTF-8 text: the encoding is not decided on them
    // (its rows are written out as UTF-8 when it is read).
    let header = vec![
        "Numéro de commande".to_string(),
        "E-mail (Facturation)".to_string(),
        "Date de commande".to_string(),
        "Montant total de la commande".to_string(),
    ];
    let rows = vec![vec![
        "1".to_string(),
        "a@x.fr".to_string(),
        "2024-02-01".to_string(),
        "12.5".to_string(),
    ]];
    let book = seglens_engine::export::xlsx::workbook("Commandes", &header, &rows);
    let (orders, report) =
        import_orders("commandes.xlsx", &book, ImportOptions::default()).unwrap();
    let names: Vec<&str> = report.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, header.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(orders.customer_keys, vec!["a@x.fr"]);
}
