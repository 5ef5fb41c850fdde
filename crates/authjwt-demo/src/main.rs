//! `cargo run --release -p authjwt-demo`: serves the demo on http://127.0.0.1:$PORT.

use std::io::IsTerminal;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use authjwt::Auth;
use authjwt_demo::{AppState, KeySource, Settings, app_with_cors};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Logs go to stderr, so stdout carries only the URL line.
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let settings = Settings::from_env()?;
    let (config, source) = settings.connect().await?;
    let cors = settings.cors_layer(&config)?;
    if source == KeySource::Generated {
        tracing::warn!(
            "JWT_SECRET_KEY is not set: generated a random HS256 key for this process; \
             sessions end when it stops. Set JWT_SECRET_KEY (at least 32 bytes) to keep them."
        );
    }
    match (&settings.redis_url, settings.redis_cluster_nodes.is_empty()) {
        (Some(_), _) => tracing::info!("revocations are shared through Redis (REDIS_URL)"),
        (None, false) => {
            tracing::info!("revocations are shared through a Redis Cluster (REDIS_CLUSTER_NODES)");
        }
        (None, true) => tracing::info!(
            "revocations are kept in memory (set REDIS_URL or REDIS_CLUSTER_NODES to share them)"
        ),
    }
    if !settings.cors_allowed_origins.is_empty() {
        tracing::info!(origins = ?settings.cors_allowed_origins, "CORS with credentials for");
    }
    if !settings.trusted_origins.is_empty() {
        tracing::info!(origins = ?settings.trusted_origins, "trusted by the cross-site check");
    }
    if !settings.trusted_proxies.is_empty() {
        let proxies: Vec<String> = settings
            .trusted_proxies
            .iter()
            .map(|p| p.to_string())
            .collect();
        tracing::info!(
            ?proxies,
            "X-Forwarded-Host / X-Forwarded-Proto believed from"
        );
    }
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, settings.port)).await?;
    let url = format!("http://{}", listener.local_addr()?);
    #[allow(clippy::print_stdout, reason = "the URL to open is the demo's output")]
    {
        println!("authjwt demo: open {url}");
    }
    tracing::info!(%url, "listening");
    // With the peer address in every request (ConnectInfo): TRUSTED_PROXIES are recognised by it.
    let app = app_with_cors(AppState::new(Auth::new(config)), cors);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await?;
    Ok(())
}

/// Ctrl-C ends the server after the requests in flight.
async fn shutdown() {
    if tokio::signal::ctrl_c().await.is_err() {
        // No signal handler could be installed: run until killed.
        std::future::pending::<()>().await;
    }
}
