//! `seglens cluster`: groups the customers with an order by k-means on standardised
//! features and prints `customer_id,cluster`; the clusters'
//! descriptions, inertia and silhouette go to stderr.

use seglens_engine::segments::cluster::{ClusterSetup, Feature};
use seglens_engine::segments::{Facts, cluster};

use crate::args::Sources;
use crate::error::Error;
use crate::load::Reading;
use crate::output::{csv_field, print_lines};

/// The flags of `seglens cluster`.
#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    sources: Sources,
    /// The number of clusters.
    #[arg(long, default_value_t = 4)]
    k: usize,
    /// Features, comma separated: recency, frequency, monetary, tenure,
    /// aov, engagement, or a numeric column of the customers file.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "recency,frequency,monetary,tenure"
    )]
    features: Vec<String>,
    /// The seed of the k-means++ seeding.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Runs from different seedings; the lowest inertia is kept.
    #[arg(long, default_value_t = 4)]
    runs: usize,
    /// Prints the silhouette of k = 2..10 instead (`k,silhouette`).
    #[arg(long)]
    silhouette: bool,
}

/// Runs the command.
pub(crate) fn run(args: Args, reading: &Reading) -> Result<(), Error> {
    let Args {
        sources,
        k,
        features,
        seed,
        runs,
        silhouette,
    } = args;
    let (data, as_of) = sources.load(reading)?;
    let facts = Facts::new(&data, as_of);
    let features: Vec<Feature> = features.iter().map(|f| Feature::parse(f)).collect();
    if silhouette {
        let m = cluster::matrix(&data, &facts, &features)?;
        let (curve, best) = cluster::silhouette_curve(&m, 10, seed, &mut |_, _| {});
        if let Some(best) = best {
            eprintln!("suggested k: {best}");
        }
        return print_lines(
            std::iter::once("k,silhouette".to_string())
                .chain(curve.iter().map(|(k, s)| format!("{k},{s:.4}"))),
        );
    }
    let setup = ClusterSetup {
        features,
        k,
        seed,
        runs,
    };
    let result = cluster::cluster(&data, &facts, &setup)?;
    for p in &result.profiles {
        eprintln!("{} ({} customers): {}", p.name, p.customers, p.description);
    }
    eprintln!("inertia: {:.6}", result.inertia);
    if let Some(s) = result.silhouette {
        eprintln!("silhouette: {s:.4}");
    }
    print_lines(std::iter::once("customer_id,cluster".to_string()).chain(
        result.members.iter().map(|(c, l)| {
            format!(
                "{},{}",
                csv_field(&data.orders.customer_keys[*c as usize]),
                l + 1
            )
        }),
    ))
}
