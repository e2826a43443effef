//! `sqlx::migrate!` embeds `migrations/` when the crate compiles, but Cargo
//! does not know to compile again when only a migration was added: say so
//! (as sqlx's documentation advises).

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
