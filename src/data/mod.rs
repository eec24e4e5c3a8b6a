//! The Data page and bringing data in: the start screen and file pickers,
//! the columns screen, and updates with newer exports.

pub(crate) mod actions;
pub(crate) mod columns;
pub(crate) mod start;
pub(crate) mod update;

pub use columns::ColumnChoiceCard;
pub use start::{FilePicker, ProjectPicker, Start};
pub use update::{SinceUpdateCard, UpdatePicker, UpdateQuestionBanner};
