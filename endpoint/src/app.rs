//! Wiring: from a configuration to a running application. [`open`]
//! connects the store and brings its schema up to date, installs the
//! program in force and builds the shared state; [`seed_demo`] adds the
//! demo customers (the demo's job, asked for by `serve --demo` or the
//! built-in program); [`crate::router`] makes the routes.

use crate::config::ServerConfig;
use crate::domain::{program, seed};
use crate::http::state::{pinned_day, AppState};
use crate::store::{Store, Target};
use std::sync::Arc;

/// Opens the store (creating a SQLite file if needed, applying the
/// migrations), installs the program (the configuration's, or the demo
/// program) and returns the state every request shares.
pub async fn open(config: ServerConfig) -> Result<Arc<AppState>, String> {
    let target = match &config.database_url {
        Some(url) => Target::Postgres(url.clone()),
        None => Target::File(config.db_path.clone()),
    };
    let connections = u32::try_from(config.db_connections.clamp(1, 64)).unwrap_or(4);
    let store = Store::open(&target, connections)
        .await
        .map_err(|err| err.to_string())?;
    let program = match &config.program {
        Some(program) => program.clone(),
        None => program::parse(program::DEMO)
            .map_err(|problems| format!("program: {}", problems.join("; ")))?,
    };
    let pinned = pinned_day(config.today.as_deref())?;
    let mut tx = store.write().await.map_err(|err| err.to_string())?;
    program::install(&mut tx.db(), &program)
        .await
        .map_err(|err| err.to_string())?;
    tx.commit().await.map_err(|err| err.to_string())?;
    Ok(Arc::new(AppState::new(config, store, program, pinned)))
}

/// Whether the demo customers belong in this configuration: with the
/// built-in program, or `--demo`. A shop's own program starts with none.
pub fn wants_demo(config: &ServerConfig) -> bool {
    config.demo || config.program.is_none()
}

/// Seeds the demo customers into an empty database; returns whether it did.
pub async fn seed_demo(state: &AppState) -> Result<bool, String> {
    seed::seed_if_empty(&state.store, &state.program, state.today())
        .await
        .map_err(|err| err.to_string())
}
