//! Entry point: parse the command line, then open the window or run a headless command.

use clap::Parser;
use modeldesk::cli::{self, Cli, Command};
use modeldesk::gui::Startup;

fn main() {
    let parsed = Cli::parse();
    let result = match parsed.command {
        None => modeldesk::gui::run(None),
        Some(Command::Gui {
            file,
            preview,
            score,
        }) => modeldesk::gui::run(file.map(|f| match (score, preview) {
            (Some(reference), _) => Startup::Score(reference, f),
            (None, true) => Startup::Preview(f),
            (None, false) => Startup::Import(f),
        })),
        Some(command) => cli::run(command),
    };
    if let Err(error) = result {
        eprintln!("modeldesk: {error}");
        std::process::exit(cli::exit_code(&error));
    }
}
