//! The desktop's own file dialog (rfd), run on a thread of its own so no frame waits on it.
//!
//! rfd asks the XDG desktop portal over D-Bus and falls back to zenity. When neither is
//! there, it returns nothing, exactly as when the user cancels, so whether a system dialog
//! can be shown is decided beforehand from what is installed.

use std::path::{Path, PathBuf};

use super::FileRequest;
use crate::jobs::Repaint;

/// Start the system dialog for `request`; its answer (`None` when cancelled) arrives on the
/// returned channel, and the window is asked to repaint.
pub fn ask(
    request: &FileRequest,
    folder: Option<&Path>,
    repaint: Repaint,
) -> crossbeam_channel::Receiver<Option<Vec<PathBuf>>> {
    let (send, answers) = crossbeam_channel::bounded(1);
    let mut dialog = rfd::FileDialog::new()
        .set_title(&request.title)
        .add_filter(request.filter.0, request.filter.1)
        .add_filter("All files", &["*"]);
    if let Some(folder) = folder {
        dialog = dialog.set_directory(folder);
    }
    let save_as = request.save_as.clone();
    let many = request.many;
    std::thread::spawn(move || {
        let paths = match save_as {
            Some(name) => dialog.set_file_name(name).save_file().map(|p| vec![p]),
            None if many => dialog.pick_files(),
            None => dialog.pick_file().map(|p| vec![p]),
        };
        let _ = send.send(paths);
        repaint();
    });
    answers
}

/// Whether this desktop can show a system file dialog: a session bus with the desktop
/// portal and a portal backend that implements the file chooser, or zenity on `PATH`.
pub fn system_dialog_available() -> bool {
    zenity_on_path() || portal_file_chooser()
}

fn zenity_on_path() -> bool {
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| is_executable(&dir.join("zenity")))
    })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn portal_file_chooser() -> bool {
    let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some();
    bus && data_dirs().iter().any(|dir| {
        dir.join("dbus-1/services/org.freedesktop.portal.Desktop.service")
            .is_file()
            && portal_backends(&dir.join("xdg-desktop-portal/portals"))
    })
}

/// Whether a portal backend in `dir` declares the file chooser interface.
fn portal_backends(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|entry| {
        std::fs::read_to_string(entry.path())
            .is_ok_and(|text| text.contains("org.freedesktop.impl.portal.FileChooser"))
    })
}

/// `$XDG_DATA_HOME` and `$XDG_DATA_DIRS`, with the XDG defaults.
fn data_dirs() -> Vec<PathBuf> {
    let home = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")));
    let dirs = std::env::var_os("XDG_DATA_DIRS")
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "/usr/local/share:/usr/share".into());
    home.into_iter()
        .chain(std::env::split_paths(&dirs))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_portal_backend_counts_only_when_it_offers_a_file_chooser() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!portal_backends(dir.path()));
        std::fs::write(
            dir.path().join("gnome.portal"),
            "[portal]\nDBusName=org.freedesktop.impl.portal.desktop.gnome\n\
             Interfaces=org.freedesktop.impl.portal.Screenshot;\n",
        )
        .unwrap();
        assert!(!portal_backends(dir.path()));
        std::fs::write(
            dir.path().join("gtk.portal"),
            "[portal]\nInterfaces=org.freedesktop.impl.portal.FileChooser;org.freedesktop.impl.portal.AppChooser;\n",
        )
        .unwrap();
        assert!(portal_backends(dir.path()));
    }

    #[test]
    fn an_executable_is_told_from_a_plain_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("zenity");
        std::fs::write(&file, "#!/bin/sh\n").unwrap();
        assert!(!is_executable(&file));
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(is_executable(&file));
        assert!(!is_executable(dir.path()));
    }
}
