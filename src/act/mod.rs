//! The Act & share page: suggested actions, cross-sell, campaign results,
//! exports, the report and notes.

pub(crate) mod actions;
pub(crate) mod campaigns;
pub(crate) mod crosssell;
pub mod export;
pub(crate) mod notes;
pub(crate) mod suggestions;

pub use campaigns::CampaignsCard;
pub use crosssell::CrossSellCard;
pub use export::ExportCard;
pub use notes::NotesCard;
pub use suggestions::Suggestions;
