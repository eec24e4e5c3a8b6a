//! Why a command stopped, as data: what it was given that it cannot use,
//! a model that could not be fitted, or output it could not write. The
//! command line prints it after `seglens: `; a reader that went away
//! (`seglens rfm … | head`) is no error at all, as for any Unix tool.

use std::fmt;
use std::io;

use seglens_engine::model::message::Message;

/// Why a command stopped.
#[derive(Debug)]
pub(crate) enum Error {
    /// What the command was given cannot be used: a file that cannot be
    /// read, a value a flag does not take, data the engine refuses. The
    /// message names the file or the flag.
    Input(String),
    /// The engine refuses the data or the request, with its message
    /// (printed in English from the engine's catalogue).
    Engine(Message),
    /// The purchase and spend models could not be fitted to the orders.
    Fit(String),
    /// The output could not be written.
    Output(io::Error),
}

impl Error {
    /// The reader of the output went away: the command stops quietly.
    pub(crate) fn is_closed_pipe(&self) -> bool {
        matches!(self, Error::Output(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input(message) => write!(f, "{message}"),
            Error::Engine(message) => write!(f, "{message}"),
            Error::Fit(why) => write!(f, "the model could not be fitted: {why}"),
            Error::Output(e) => write!(f, "the output could not be written: {e}"),
        }
    }
}

impl From<String> for Error {
    fn from(message: String) -> Self {
        Error::Input(message)
    }
}

impl From<Message> for Error {
    fn from(message: Message) -> Self {
        Error::Engine(message)
    }
}

impl From<&str> for Error {
    fn from(message: &str) -> Self {
        Error::Input(message.to_string())
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Output(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_pipe_is_told_apart_and_messages_name_what_failed() {
        let closed = Error::from(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(closed.is_closed_pipe());
        let full = Error::from(io::Error::other("disk full"));
        assert!(!full.is_closed_pipe());
        assert_eq!(
            full.to_string(),
            "the output could not be written: disk full"
        );
        assert_eq!(
            Error::from("--as-of \"x\" is not a date (YYYY-MM-DD)").to_string(),
            "--as-of \"x\" is not a date (YYYY-MM-DD)"
        );
        assert_eq!(
            Error::Fit("no repeat buyer".into()).to_string(),
            "the model could not be fitted: no repeat buyer"
        );
    }
}
