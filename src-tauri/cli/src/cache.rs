//! `codemyspec cache`: the dependency cache that makes a second Phoenix setup warm — its
//! size and where it is, or emptied.

use crate::Ctx;
use clap::Subcommand;
use codemyspec_core::pipeline::depcache::{human, DepCache};
use codemyspec_core::Result;

#[derive(Debug, Subcommand)]
pub enum CacheCmd {
    /// Entries, size, bound and folder.
    Show,
    /// Remove every entry (the next setup builds its dependencies again).
    Clear,
}

pub async fn run(ctx: &Ctx, cmd: CacheCmd) -> Result<()> {
    let cache = DepCache::new(&ctx.store);
    match cmd {
        CacheCmd::Show => {
            let s = cache.summary().await?;
            ctx.out.record(&serde_json::json!({
                "entries": s.entries,
                "bytes": s.bytes,
                "size": human(s.bytes),
                "max_bytes": s.max_bytes,
                "max": human(s.max_bytes),
                "folder": s.root.display().to_string(),
            }));
        }
        CacheCmd::Clear => {
            let (entries, bytes) = cache.clear().await?;
            ctx.out.done(&format!(
                "dependency cache cleared: {entries} entries, {} removed",
                human(bytes)
            ));
        }
    }
    Ok(())
}
