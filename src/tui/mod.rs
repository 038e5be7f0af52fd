//! The interactive console.

use crate::cli::args::Global;
use crate::error::Result;
use crate::session::Session;

pub async fn run(_s: Session, _g: &Global) -> Result<()> {
    Err(crate::error::Error::Usage(
        "the console is not built yet; use a subcommand (see --help)".into(),
    ))
}
