//! Entry point: parse the command line, then open the window or run a headless command.

use clap::Parser;
use modeldesk::cli::{self, Cli, Command};
use modeldesk::gui::Startup;

fn main() {
    let parsed = Cli::parse();
    let result = match parsed.command {
        None => modeldesk::gui::run(None),
        Some(Command::Gui { file, preview }) => modeldesk::gui::run(file.map(|f| {
            if preview {
                Startup::Preview(f)
            } else {
                Startup::Import(f)
            }
        })),
        Some(command) => cli::run(command),
    };
    if let Err(error) = result {
        eprintln!("modeldesk: {error}");
        std::process::exit(cli::exit_code(&error));
    }
}
