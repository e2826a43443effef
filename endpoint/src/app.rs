//! Wiring: from a configuration to a running application. [`open`]
//! connects the store and brings its schema up to date, installs the
//! program in force and builds the shared state; [`seed_demo`] adds the
//! demo customers (the demo's job, asked for by `serve --demo` or the
//! built-in program); [`crate::router`] makes the routes. [`open_store`]
//! and [`check_db`] serve the operator's commands (`migrate`, `backup`,
//! `check-db`).

use crate::config::ServerConfig;
use crate::domain::{account, program, seed, versions};
use crate::http::state::{pinned_day, AppState};
use crate::store::{Store, Target};
use std::sync::Arc;

/// Connects to the store at `target` and applies its migrations; logs how
/// many it applied.
pub async fn open_store(target: &Target, connections: u32) -> Result<Store, String> {
    let store = Store::open(target, connections)
        .await
        .map_err(|err| err.to_string())?;
    let applied = store.migrate().await.map_err(|err| err.to_string())?;
    tracing::info!(database = store.kind(), applied, "migrations applied");
    Ok(store)
}

/// The store a configuration names.
pub fn target_of(config: &ServerConfig) -> Target {
    match &config.database_url {
        Some(url) => Target::Postgres(url.clone()),
        None => Target::File(config.db_path.clone()),
    }
}

/// Opens the store (creating a SQLite file if needed, applying the
/// migrations), installs the program (the configuration's, or the demo
/// program) and returns the state every request shares.
pub async fn open(config: ServerConfig) -> Result<Arc<AppState>, String> {
    let connections = u32::try_from(config.db_connections.clamp(1, 64)).unwrap_or(4);
    let store = open_store(&target_of(&config), connections).await?;
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
    let source = match (&config.program, &config.program_source) {
        (_, Some(text)) => Some(text.as_str()),
        (None, None) => Some(program::DEMO),
        (Some(_), None) => None,
    };
    if let Some(source) = source {
        versions::record(&mut tx.db(), source, crate::http::state::now())
            .await
            .map_err(|err| err.to_string())?;
    }
    tx.commit().await.map_err(|err| err.to_string())?;
    tracing::info!(
        database = store.kind(),
        program = %program.name.get(&program.language(None)),
        tiers = program.tiers.levels.len(),
        rewards = program.rewards.len(),
        "program installed"
    );
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

/// `check-db`: the database's integrity, its migrations, and every
/// customer's balance snapshot against their ledger on `today`. Returns
/// the report's lines and whether everything holds.
pub async fn check_db(store: &Store, today: i64) -> (Vec<String>, bool) {
    let mut lines = Vec::new();
    let mut ok = true;
    let health = store.check().await;
    match health.integrity {
        Ok(()) => lines.push("integrity: ok".to_owned()),
        Err(why) => {
            ok = false;
            lines.push(format!("integrity: FAILED: {why}"));
        }
    }
    match health.migrations {
        Ok(count) => lines.push(format!("migrations: ok ({count} applied)")),
        Err(why) => {
            ok = false;
            lines.push(format!("migrations: FAILED: {why}"));
        }
    }
    let audited = async {
        let mut conn = store.read().await.map_err(|err| err.to_string())?;
        account::audit(&mut conn.db(), today)
            .await
            .map_err(|err| err.to_string())
    };
    match audited.await {
        Ok((customers, problems)) if problems.is_empty() => lines.push(format!(
            "ledger: ok (the balances of {customers} customers agree with their ledgers)"
        )),
        Ok((_, problems)) => {
            ok = false;
            lines.push(format!("ledger: FAILED: {}", problems.join("; ")));
        }
        Err(why) => {
            ok = false;
            lines.push(format!("ledger: FAILED: {why}"));
        }
    }
    (lines, ok)
}
