//! The command line: `serve` (default), `migrate`, `seed`, `admin create`.

use std::io::BufRead;

use anyhow::{Context, bail};
use app::domain::SystemClock;
use app::domain::password::{PasswordHasher, WorkFactors};
use app::domain::services::admin::{NewAdmin, create_admin};
use app::types::Role;
use clap::{Parser, Subcommand};
use secrecy::SecretString;

use crate::config::Config;
use crate::{Application, Overrides, database};

/// Authlink: a self-hosted integration-auth hub.
#[derive(Debug, Parser)]
#[command(name = "authlink", version, about)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Demo mode: serve a built-in OAuth2 provider and seed a demo tenant and connectors
    /// (the same as `AUTHLINK_DEMO=true`).
    #[arg(long, global = true)]
    pub demo: bool,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (migrations run first).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create sample tenants, for trying the dashboard and measuring it at scale.
    Seed {
        /// How many tenants to create.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
        tenants: u64,
        /// External ids become `{prefix}-{n}`; choose another prefix to seed again.
        #[arg(long, default_value = "seed")]
        prefix: String,
    },
    /// Manage dashboard accounts.
    Admin {
        /// What to do with accounts.
        #[command(subcommand)]
        command: AdminCommand,
    },
}

/// `authlink admin …`
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an account. Before setup it becomes the owner, for headless installs.
    Create {
        /// E-mail address (sign-in name).
        #[arg(long)]
        email: String,
        /// Role once setup is done: owner, admin or viewer.
        #[arg(long, default_value = "admin", value_parser = parse_role)]
        role: Role,
        /// Product name shown to end users (used only when this creates the owner).
        #[arg(long, default_value = "Authlink")]
        product_name: String,
        /// Read the password from the first line of standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse()
}

/// Runs the parsed command.
pub async fn run(cli: Cli, mut config: Config) -> anyhow::Result<()> {
    config.demo |= cli.demo;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(config, Overrides::default()).await?;
            app.run_until(crate::shutdown_signal()).await
        }
        Command::Migrate => {
            let db = database::connect(&config).await?;
            database::migrate(&db).await?;
            println!("Migrations applied.");
            Ok(())
        }
        Command::Seed { tenants, prefix } => {
            let db = database::connect(&config).await?;
            database::migrate(&db).await?;
            let started = std::time::Instant::now();
            let created = app::domain::services::tenants::seed(&db, &SystemClock, &prefix, tenants)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "Created {created} tenants in {:.1}s.",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    email,
                    role,
                    product_name,
                    password_stdin,
                },
        } => {
            let password = read_password(password_stdin)?;
            let db = database::connect(&config).await?;
            database::migrate(&db).await?;
            let hasher =
                PasswordHasher::new(WorkFactors::OWASP, 1).map_err(|e| anyhow::anyhow!("{e}"))?;
            let account = create_admin(
                &db,
                &hasher,
                &SystemClock,
                NewAdmin {
                    email,
                    password,
                    role,
                },
                &product_name,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("Created {} ({}).", account.email, account.role);
            Ok(())
        }
    }
}

fn read_password(from_stdin: bool) -> anyhow::Result<SecretString> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let password = line.trim_end_matches(['\r', '\n']).to_owned();
        return Ok(SecretString::from(password));
    }
    let first = rpassword::prompt_password("Password: ")
        .context("cannot read the password (use --password-stdin)")?;
    let second =
        rpassword::prompt_password("Repeat the password: ").context("cannot read the password")?;
    if first != second {
        bail!("the two passwords do not match");
    }
    Ok(SecretString::from(first))
}
