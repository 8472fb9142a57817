//! Which version the server answers with: the one its reference names now. A thread of its
//! own asks the catalog every `poll` and, when the answer changes (a stage change or a roll
//! back made in the window or by the CLI in another process), loads the new version and
//! swaps it in whole; each request takes the version of the moment it starts.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::catalog::{record, Catalog, Stage, VersionSelector};
use crate::ml::eval::TrainedModel;

/// A loaded version.
#[derive(Debug)]
pub struct Served {
    pub model: Arc<TrainedModel>,
    pub name: String,
    pub version: i64,
    /// The version's row id in the catalog.
    pub version_id: i64,
    pub stage: Stage,
}

impl Served {
    /// `churn/3`, as the `X-Modeldesk-Model` header says it.
    pub fn label(&self) -> String {
        format!("{}/{}", self.name, self.version)
    }
}

/// What requests are answered with: a version, or why there is none.
#[derive(Debug, Clone)]
pub enum ServedState {
    Ready(Arc<Served>),
    Unavailable(String),
}

/// The current state, shared by the requests and the following thread.
#[derive(Debug)]
pub struct Following {
    state: RwLock<ServedState>,
    pub reference: String,
    /// True when the reference names a stage (the version may change).
    pub follows_stage: bool,
}

impl Following {
    /// The state now.
    pub fn current(&self) -> ServedState {
        self.state
            .read()
            .map(|s| s.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    fn set(&self, state: ServedState) {
        match self.state.write() {
            Ok(mut s) => *s = state,
            Err(e) => *e.into_inner() = state,
        }
    }
}

/// Resolve `reference` once (an error if it names nothing now) and keep following it on a
/// thread until `stop` is set.
pub fn start(
    catalog_path: PathBuf,
    reference: &str,
    poll: Duration,
    stop: Arc<AtomicBool>,
) -> Result<Arc<Following>, crate::catalog::CatalogError> {
    let (_, selector) = VersionSelector::parse_reference(reference)?;
    let catalog = Catalog::open(&catalog_path)?;
    let first = load(&catalog, reference)?;
    let following = Arc::new(Following {
        state: RwLock::new(ServedState::Ready(first)),
        reference: reference.to_string(),
        follows_stage: matches!(
            selector,
            VersionSelector::Stage(_) | VersionSelector::Latest
        ),
    });
    let shared = following.clone();
    std::thread::Builder::new()
        .name("modeldesk-follow".into())
        .spawn(move || follow(catalog, shared, poll, stop))
        .expect("start the thread that follows the catalog");
    Ok(following)
}

fn load(catalog: &Catalog, reference: &str) -> Result<Arc<Served>, crate::catalog::CatalogError> {
    let found = catalog.resolve(reference)?;
    let model = record::load_model(catalog, found.id)?;
    let stage = catalog.stage_of(&found.model, found.version)?;
    Ok(Arc::new(Served {
        model: Arc::new(model),
        name: found.model,
        version: found.version,
        version_id: found.id,
        stage,
    }))
}

fn follow(catalog: Catalog, following: Arc<Following>, poll: Duration, stop: Arc<AtomicBool>) {
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(poll);
        let now = following.current();
        let found = catalog.resolve(&following.reference);
        let next = match (found, &now) {
            // Same version: only its stage may have changed (served by number).
            (Ok(found), ServedState::Ready(served)) if found.id == served.version_id => {
                match catalog.stage_of(&found.model, found.version) {
                    Ok(stage) if stage != served.stage => {
                        Some(ServedState::Ready(Arc::new(Served {
                            model: served.model.clone(),
                            name: served.name.clone(),
                            version: served.version,
                            version_id: served.version_id,
                            stage,
                        })))
                    }
                    _ => None,
                }
            }
            (Ok(_), _) => match load(&catalog, &following.reference) {
                Ok(served) => {
                    eprintln!(
                        "{}",
                        serde_json::json!({
                            "event": "switched",
                            "reference": following.reference,
                            "version": served.version,
                        })
                    );
                    Some(ServedState::Ready(served))
                }
                // A version that cannot be loaded (a changed artifact) is not served; the
                // one before goes on answering.
                Err(error) => {
                    eprintln!(
                        "{}",
                        serde_json::json!({"event": "load_failed", "error": error.to_string()})
                    );
                    None
                }
            },
            (Err(error), _) if error.is_bad_input() => {
                Some(ServedState::Unavailable(error.to_string()))
            }
            // The catalog is busy or unreadable for a moment: keep what is served.
            (Err(_), _) => None,
        };
        if let Some(next) = next {
            following.set(next);
        }
    }
}
