//! Writing a text the window already holds (a tree's rules) to a file, off the UI thread.

use std::path::PathBuf;

use super::{file_name, JobOutcome, Jobs, Repaint};

impl Jobs {
    /// Write `text` to `out` on a worker thread; `what` names it in the note ("rules").
    pub fn start_text_export(
        &mut self,
        what: &str,
        text: String,
        out: PathBuf,
        repaint: Repaint,
    ) -> Result<(), String> {
        let key = format!("text:{}", out.display());
        let title = format!("Writing {}", file_name(&out));
        let what = what.to_string();
        self.spawn(key, title, repaint, move |_| {
            match std::fs::write(&out, text) {
                Ok(()) => JobOutcome::Saved { what, path: out },
                Err(e) => JobOutcome::Failed {
                    job: format!("writing {}", file_name(&out)),
                    message: format!("could not write {}: {e}", out.display()),
                },
            }
        })
    }
}
