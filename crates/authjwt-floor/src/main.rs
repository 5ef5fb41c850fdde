//! `JWT_SECRET_KEY=... PORT=0 authjwt-floor`: serves the benchmark floor on 127.0.0.1 and
//! prints its URL on stdout (`authjwt floor: open http://127.0.0.1:PORT`).

use std::net::Ipv4Addr;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            #[allow(clippy::print_stderr, reason = "the floor has no logger")]
            {
                eprintln!("authjwt-floor: {e}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("JWT_SECRET_KEY")
        .ok()
        .filter(|s| s.len() >= 32)
        .ok_or("JWT_SECRET_KEY must be set to at least 32 bytes (the demo's secret)")?;
    let port: u16 = match std::env::var("PORT") {
        Ok(p) if !p.trim().is_empty() => p.trim().parse()?,
        _ => 8001,
    };
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
    #[allow(clippy::print_stdout, reason = "the URL line is the floor's output")]
    {
        println!("authjwt floor: open http://{}", listener.local_addr()?);
    }
    axum::serve(listener, authjwt_floor::router(secret.as_bytes()))
        .with_graceful_shutdown(async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
        .await?;
    Ok(())
}
